/*
 * journal - the finished jobs of a multi-job study, so that a resumed study
 * gets them back instantly (run/engine.h, engine_journal_open).
 *
 * File (appended with io/append, synced after every entry):
 *   header  "ASJOURN\0", version, study key, FNV-1a 64 of those 24 bytes;
 *   entries key, acc_len, acc bytes, rec_len, rec bytes, FNV-1a 64 of the
 *           entry's preceding bytes.
 * Entry k is the study's k-th job.  Reading stops at the first entry that
 * is truncated or fails its hash (the process died while appending it);
 * the file is cut back there before anything is appended.
 *
 * Used by the engine's root only.  Returns AS_* codes (base/status.h).
 */
#ifndef ALIGNSIM_RUN_JOURNAL_H
#define ALIGNSIM_RUN_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct journal journal;

/* One finished job, pointing into the journal's memory (valid until
 * journal_close). */
typedef struct {
    uint64_t key;
    const unsigned char *acc;
    size_t acc_len;
    const unsigned char *rec;
    size_t rec_len;
} journal_entry;

/*
 * Opens the journal at path for a study with key study_key.  resume: read
 * the entries of an existing journal (AS_EUSAGE when it belongs to another
 * study; a missing file is an empty journal).  Otherwise an existing
 * journal holding entries is AS_EUSAGE (an interrupted study is in the way),
 * and the file is created empty.  AS_EIO, AS_ENOMEM on failures.  Messages
 * name the path.
 */
int journal_open(const char *path, uint64_t study_key, int resume, journal **out, char *err, size_t errlen);

/* Entries read at open (those appended since are not counted). */
size_t journal_count(const journal *j);

/* Entries in the file: those read at open and those appended since. */
size_t journal_total(const journal *j);

/* Entry k < journal_count(j). */
journal_entry journal_get(const journal *j, size_t k);

/* Appends an entry and syncs it.  AS_OK or AS_EIO. */
int journal_append(journal *j, uint64_t key, const void *acc, size_t acc_len, const void *rec, size_t rec_len,
                   char *err, size_t errlen);

/* Closes; with remove, deletes the file.  NULL is a no-op.  AS_OK or
 * AS_EIO (the file could not be removed). */
int journal_close(journal *j, int remove, char *err, size_t errlen);

#endif
