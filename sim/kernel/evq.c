/*
 * kernel/evq - pending-event set: a 4-ary min-heap of 16-byte keys over a
 * slot pool.
 *
 * Layout.  The heap array holds entries of 16 bytes: the time (as an
 * order-preserving integer, see time_key), the priority and the index of the
 * event's slot.  The four children of node i are 4i+1 .. 4i+4, and the array
 * is offset so that every such family fills exactly one 64-byte cache line:
 * one sift step reads one line, and a 4-ary heap has half the levels of a
 * binary one.  The rest of an event - its seq, type, arg and the generation
 * of its handle - lives in its slot, read once per pop and written once per
 * push.  Ties of time and priority are broken by the seq in the slots, which
 * costs two extra loads only for such ties.
 *
 * Cancellation is lazy.  evq_cancel() marks the slot dead and leaves its
 * heap entry in place; dead entries are dropped when they reach the root, and
 * the heap is compacted in O(n) once dead entries outnumber live ones (and
 * number at least COMPACT_MIN), so cancel is O(1) amortised and memory stays
 * within about twice the live count.
 *
 * Slot states and the generation counter gen (32 bits):
 *   free   seq == SEQ_FREE, on the free list (threaded through u.next_free);
 *   live   gen even, seq = the event's seq; exactly one heap entry refers to it;
 *   dead   gen odd (cancelled), seq kept so the entry still compares the same;
 *          exactly one heap entry refers to it.
 * push: free -> live (gen unchanged).  pop: live -> free, gen += 2.
 * cancel: live -> dead, gen += 1.  Dropping a dead entry: dead -> free,
 * gen += 1.  A handle is (gen, index + 1) of a live slot, so it names that
 * one occupancy: once the event leaves, gen moves on and the handle is stale.
 * (Only a slot reused 2^31 times while a caller held an old handle could
 * make that handle match again.)
 *
 * Other invariants, outside the functions of this file:
 *   - heap[0..nheap) is a 4-ary min-heap under entry_less, and slots are
 *     never reused while an entry refers to them, so nslots_live + ndead ==
 *     nheap and the heap never needs more slots than entries: both arrays
 *     share one capacity;
 *   - if nheap > 0, heap[0] is live (so evq_peek is const and O(1));
 *   - slots[0..nslots_used) are initialised; the others are not;
 *   - next_seq < SEQ_FREE.
 */
#include "kernel/evq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEQ_FREE UINT64_MAX      /* seq of a free slot; never issued */
#define SLOT_NONE UINT32_MAX     /* end of the free list; never an index */
#define SLOT_MAX ((size_t)UINT32_MAX) /* slot indices are 0 .. SLOT_MAX-1 */
#define MIN_GROW 16              /* first capacity when growing from 0 */
#define COMPACT_MIN 64           /* never compact for fewer dead entries */
#define LINE 64                  /* cache line: one family of four entries */
#define HEAP_PAD 3               /* entries before heap[0] so 4i+1 is aligned */
#define PREFETCH_MIN 4096        /* heaps of 64 KiB and up: prefetch in sifts */

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define LIKELY(x) (x)
#define PREFETCH(p) ((void)(p))
#endif

/* One heap entry: the inline part of the ordering key and the slot. */
typedef struct {
    uint64_t tkey;           /* time_key(time) */
    int32_t priority;
    uint32_t slot;
} evq_entry;

/* One slot of the payload pool; see the state table above. */
typedef struct {
    uint64_t seq;
    union {
        int64_t arg;         /* live or dead: the caller's payload */
        uint32_t next_free;  /* free: next free slot, or SLOT_NONE */
    } u;
    int32_t type;
    uint32_t gen;
} evq_slot;

struct evq {
    evq_entry *heap;         /* HEAP_PAD entries into the block at raw */
    void *raw;               /* the aligned block holding the heap */
    size_t nheap;            /* entries in the heap, live and dead */
    size_t ndead;            /* dead entries in the heap */
    size_t cap;              /* capacity of heap and slots alike */
    evq_slot *slots;
    size_t nslots_used;      /* high-water mark of initialised slots */
    uint32_t free_head;      /* first free slot below nslots_used */
    uint64_t next_seq;
};

/*
 * Maps a finite double to an unsigned integer with the same order, so that
 * sifting compares integers: flip all bits of negatives, set the sign bit of
 * non-negatives.  -0.0 is first made +0.0 so that the two zeros, equal as
 * doubles, are equal keys too.  key_time() inverts it exactly.
 */
static inline uint64_t time_key(double t)
{
    uint64_t u;
    if (t == 0.0)
        t = 0.0;
    memcpy(&u, &t, sizeof u);
    return (u >> 63) ? ~u : (u | UINT64_C(0x8000000000000000));
}

static inline double key_time(uint64_t k)
{
    uint64_t u = (k >> 63) ? (k & UINT64_C(0x7fffffffffffffff)) : ~k;
    double t;
    memcpy(&t, &u, sizeof t);
    return t;
}

/*
 * Total order: time, then priority, then insertion sequence.  Times almost
 * never tie in a large queue, so the first test is marked likely; callers
 * turn the result into arithmetic rather than branches, since which of two
 * children is smaller is a coin flip that a branch predictor cannot learn.
 */
static inline int entry_less(const evq_slot *slots, const evq_entry *a,
                             const evq_entry *b)
{
    if (LIKELY(a->tkey != b->tkey))
        return a->tkey < b->tkey;
    if (a->priority != b->priority)
        return a->priority < b->priority;
    return slots[a->slot].seq < slots[b->slot].seq;
}

/* a if !pick_b else b, without a branch. */
static inline size_t select_index(size_t a, size_t b, int pick_b)
{
    return a ^ ((a ^ b) & ((size_t)0 - (size_t)pick_b));
}

static inline evq_handle make_handle(uint32_t slot, uint32_t gen)
{
    return ((uint64_t)gen << 32) | ((uint64_t)slot + 1u);
}

/* Moves x up from the hole at i until its parent is not greater. */
static inline void sift_up(evq_entry *h, const evq_slot *slots, size_t i,
                           evq_entry x)
{
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!entry_less(slots, &x, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

/*
 * Moves x down from the hole at i of a heap of n entries until no child is
 * smaller.  A full family of four is settled by a tournament (two pairs,
 * then the winners) whose outcome is computed, not branched on; nearly all
 * of the queue's time is spent here.
 */
static inline void sift_down(evq_entry *h, const evq_slot *slots, size_t n,
                             size_t i, evq_entry x)
{
    for (;;) {
        size_t c = 4 * i + 1;
        size_t best;
        if (LIKELY(c + 4 <= n)) {
            /* The next step reads one of the four families below this one,
             * which lie in four consecutive lines: in a heap larger than the
             * first-level cache, ask for all of them now, so that the load
             * overlaps this step's comparisons instead of following them. */
            size_t g = 4 * c + 1;
            if (n >= PREFETCH_MIN && g + 16 <= n) {
                PREFETCH(&h[g]);
                PREFETCH(&h[g + 4]);
                PREFETCH(&h[g + 8]);
                PREFETCH(&h[g + 12]);
            }
            size_t a = c + (size_t)entry_less(slots, &h[c + 1], &h[c]);
            size_t b = c + 2 + (size_t)entry_less(slots, &h[c + 3], &h[c + 2]);
            best = select_index(a, b, entry_less(slots, &h[b], &h[a]));
        } else if (c < n) {
            best = c;
            for (size_t j = c + 1; j < n; j++)
                best = select_index(best, j, entry_less(slots, &h[j], &h[best]));
        } else {
            break;
        }
        if (!entry_less(slots, &h[best], &x))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = x;
}

/* Removes the root entry (live or dead) and restores the heap property. */
static inline void remove_root(evq *q)
{
    size_t n = --q->nheap;
    if (n > 0)
        sift_down(q->heap, q->slots, n, 0, q->heap[n]);
}

/* Returns slot s to the free list; gen must already be even. */
static inline void free_slot(evq *q, uint32_t s)
{
    evq_slot *sl = &q->slots[s];
    sl->seq = SEQ_FREE;
    sl->u.next_free = q->free_head;
    q->free_head = s;
}

/* Re-establishes "the root is live" by dropping dead roots. */
static void drop_dead_roots(evq *q)
{
    while (q->nheap > 0 && (q->slots[q->heap[0].slot].gen & 1u)) {
        uint32_t s = q->heap[0].slot;
        q->slots[s].gen++;
        free_slot(q, s);
        q->ndead--;
        remove_root(q);
    }
}

/*
 * Removes every dead entry (freeing its slot) and rebuilds the heap
 * bottom-up (Floyd), O(n).  Keys are unique, so the order cannot change.
 */
static void compact(evq *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->nheap; i++) {
        uint32_t s = q->heap[i].slot;
        if (q->slots[s].gen & 1u) {
            q->slots[s].gen++;
            free_slot(q, s);
        } else {
            q->heap[n++] = q->heap[i];
        }
    }
    q->nheap = n;
    q->ndead = 0;
    if (n > 1)
        for (size_t i = (n - 2) / 4 + 1; i-- > 0;)
            sift_down(q->heap, q->slots, n, i, q->heap[i]);
}

/*
 * Allocates heap and slot arrays for cap entries, copying the first nheap
 * heap entries and nslots_used slots.  The heap block is LINE-aligned, with
 * HEAP_PAD entries before heap[0] so that heap[1] starts a line.  On failure
 * q is unchanged.
 */
static int resize(evq *q, size_t cap)
{
    if (cap > SLOT_MAX || cap > SIZE_MAX / sizeof(evq_slot)
        || cap > SIZE_MAX / sizeof(evq_entry) - HEAP_PAD - LINE)
        return EVQ_ENOMEM;
    size_t bytes = (cap + HEAP_PAD) * sizeof(evq_entry);
    bytes = (bytes + LINE - 1) / LINE * LINE;   /* aligned_alloc wants this */
    void *raw = aligned_alloc(LINE, bytes);
    if (raw == NULL)
        return EVQ_ENOMEM;
    evq_slot *slots = realloc(q->slots, cap * sizeof *slots);
    if (slots == NULL) {
        free(raw);
        return EVQ_ENOMEM;
    }
    evq_entry *heap = (evq_entry *)raw + HEAP_PAD;
    if (q->nheap > 0)
        memcpy(heap, q->heap, q->nheap * sizeof *heap);
    free(q->raw);
    q->raw = raw;
    q->heap = heap;
    q->slots = slots;
    q->cap = cap;
    return EVQ_OK;
}

/* Doubles the capacity (at least MIN_GROW), clamped to SLOT_MAX. */
static int grow(evq *q)
{
    if (q->cap >= SLOT_MAX)
        return EVQ_ENOMEM;
    size_t cap = q->cap > SLOT_MAX / 2 ? SLOT_MAX : 2 * q->cap;
    return resize(q, cap < MIN_GROW ? MIN_GROW : cap);
}

evq *evq_alloc(size_t initial_capacity)
{
    evq *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    q->free_head = SLOT_NONE;
    if (initial_capacity > 0 && resize(q, initial_capacity) != EVQ_OK) {
        evq_free(q);
        return NULL;
    }
    return q;
}

void evq_free(evq *q)
{
    if (q == NULL)
        return;
    free(q->raw);
    free(q->slots);
    free(q);
}

void evq_clear(evq *q)
{
    /* Rebuild the free list over every initialised slot, lowest index first
     * so that a cleared queue fills its slots in the same order as a new
     * one, and move every occupied slot's gen on so its handle goes stale
     * (live: +2, dead: +1; both end even). */
    q->free_head = SLOT_NONE;
    for (size_t i = q->nslots_used; i-- > 0;) {
        evq_slot *s = &q->slots[i];
        if (s->seq != SEQ_FREE)
            s->gen += (s->gen & 1u) ? 1u : 2u;
        free_slot(q, (uint32_t)i);
    }
    q->nheap = 0;
    q->ndead = 0;
    q->next_seq = 0;
}

int evq_push(evq *q, double time, int32_t priority, int32_t type, int64_t arg,
             evq_handle *out)
{
    if (out != NULL)
        *out = 0;
    if (!isfinite(time))
        return EVQ_EINVAL;
    if (q->next_seq == SEQ_FREE)
        return EVQ_ENOMEM;   /* 2^64 - 1 pushes since the last clear */
    if (q->nheap == q->cap && grow(q) != EVQ_OK)
        return EVQ_ENOMEM;

    /* Every slot in use has a heap entry and nheap < cap, so a slot is free
     * either on the list or above the high-water mark. */
    uint32_t s = q->free_head;
    if (s != SLOT_NONE) {
        q->free_head = q->slots[s].u.next_free;
    } else {
        s = (uint32_t)q->nslots_used++;
        q->slots[s].gen = 0;
    }
    evq_slot *sl = &q->slots[s];
    sl->seq = q->next_seq++;
    sl->u.arg = arg;
    sl->type = type;

    evq_entry e = { time_key(time), priority, s };
    sift_up(q->heap, q->slots, q->nheap++, e);
    if (out != NULL)
        *out = make_handle(s, sl->gen);
    return EVQ_OK;
}

/* Copies the root event to *out; the heap must not be empty. */
static inline void read_root(const evq *q, evq_event *out)
{
    const evq_entry *top = &q->heap[0];
    const evq_slot *sl = &q->slots[top->slot];
    out->time = key_time(top->tkey);
    out->priority = top->priority;
    out->type = sl->type;
    out->arg = sl->u.arg;
    out->seq = sl->seq;
    out->handle = make_handle(top->slot, sl->gen);
}

int evq_pop(evq *q, evq_event *out)
{
    if (q->nheap == 0)
        return EVQ_EMPTY;
    read_root(q, out);
    uint32_t s = q->heap[0].slot;
    q->slots[s].gen += 2;
    free_slot(q, s);
    remove_root(q);
    if (q->ndead > 0)
        drop_dead_roots(q);
    /* The next pop will read the new root's slot: a random address in a
     * large queue, so start fetching it now. */
    if (q->nheap > 0)
        PREFETCH(&q->slots[q->heap[0].slot]);
    return EVQ_OK;
}

int evq_peek(const evq *q, evq_event *out)
{
    if (q->nheap == 0)
        return EVQ_EMPTY;
    read_root(q, out);
    return EVQ_OK;
}

/* The live slot named by h, or NULL if h names no pending event. */
static evq_slot *handle_slot(const evq *q, evq_handle h)
{
    uint64_t low = h & UINT64_C(0xffffffff);
    if (low == 0 || low > q->nslots_used)
        return NULL;
    evq_slot *sl = &q->slots[low - 1];
    /* Issued handles carry even generations: an odd one was never issued,
     * and must not match a dead slot whose gen happens to equal it. */
    uint32_t gen = (uint32_t)(h >> 32);
    if (sl->seq == SEQ_FREE || (gen & 1u) || sl->gen != gen)
        return NULL;
    return sl;
}

int evq_cancel(evq *q, evq_handle h)
{
    evq_slot *sl = handle_slot(q, h);
    if (sl == NULL)
        return EVQ_ENOENT;
    sl->gen++;              /* live -> dead: the handle is now stale */
    q->ndead++;
    drop_dead_roots(q);
    if (q->ndead >= COMPACT_MIN && q->ndead > q->nheap - q->ndead)
        compact(q);
    return EVQ_OK;
}

size_t evq_size(const evq *q)
{
    return q->nheap - q->ndead;
}

int evq_contains(const evq *q, evq_handle h)
{
    return handle_slot(q, h) != NULL;
}
