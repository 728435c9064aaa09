/*
 * commands - the alignsim commands implemented outside main.c, each taking
 * the parsed options and returning the process exit status (0 success, 1
 * runtime failure, 2 bad usage or bad scenario, 128 + N after signal N).
 */
#ifndef ALIGNSIM_CLI_COMMANDS_H
#define ALIGNSIM_CLI_COMMANDS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/options.h"
#include "cli/progress.h"
#include "io/lock.h"
#include "model/spec.h"
#include "run/engine.h"
#include "scenario/sweepfile.h"

/*
 * Loads the scenario named by o->positional[0] with o's --set overrides,
 * and the seed replaced when has_seed, into *spec (initialised here) and
 * its resolved text into *resolved (heap; the caller frees both with
 * model_spec_clear and free).  Prints every diagnostic to stderr unless
 * quiet_errors.  Returns the exit status: 0, 1 (unreadable file) or 2 (bad
 * scenario).
 */
int cli_load_scenario(const cli_options *o, int has_seed, uint64_t seed, int quiet_errors,
                      model_spec *spec, char **resolved);

/* The result folder: -o DIR, or out/NAME with the scenario's name (written
 * into buf of size len when needed).  Returns a borrowed string. */
const char *cli_out_dir(const cli_options *o, const model_spec *spec, char *buf, size_t len);

/* Saved signal dispositions while a long command catches SIGINT/SIGTERM. */
typedef struct {
    int installed;
    struct sigaction old_int, old_term;
} cli_signal_state;

/*
 * Catches SIGINT and SIGTERM: the first sets the flag cli_stop_flag()
 * points at (engines stop after their current replications and save a
 * checkpoint); a second ends the program the default way.  Returns 0, or
 * -1 if the handlers could not be installed (nothing changed).
 */
int cli_catch_stop_signals(cli_signal_state *saved);

/* Restores the dispositions saved by cli_catch_stop_signals (no-op if it
 * failed). */
void cli_release_stop_signals(const cli_signal_state *saved);

/* The stop flag: 0, or the number of the signal that asked to stop. */
const volatile sig_atomic_t *cli_stop_flag(void);

/* Default -j: the processors online, or 1 per MPI rank. */
unsigned cli_default_threads(void);

/*
 * The executor for a long command: -j threads (default
 * cli_default_threads()), the stop flag, progress shown through pg (may be
 * NULL), and the hidden test hooks of the environment:
 * ALIGNSIM_TEST_STOP_AFTER_BLOCKS=N (a job stops as if interrupted after
 * this process completed N blocks) and ALIGNSIM_TEST_PAUSE_AFTER_CHECKPOINT=1
 * (the root sleeps after its first checkpoint, for the kill -9 test).
 * Returns 0 and *out, or prints "alignsim COMMAND: error: ..." and returns
 * the exit status.
 */
int cli_engine(const cli_options *o, const char *command, progress *pg, engine **out);

/* What a long command holds while it runs on the executor: its progress
 * line, the executor, the SIGINT/SIGTERM handlers; root: this process
 * prints (rank 0). */
typedef struct {
    progress *pg;
    engine *e;
    cli_signal_state sigs;
    int root;
    io_lock *lock;             /* the result folder's, once locked (root) */
} cli_session;

/*
 * Starts a session for `command` (progress label, shown unless -q or not a
 * terminal, on the root only): the executor (cli_engine) and the signal
 * handlers.  Returns 0, or prints the error and returns the exit status
 * (nothing to end then).
 */
int cli_session_begin(const cli_options *o, const char *command, cli_session *s);

/* Frees the executor and the progress line, restores the signals and
 * releases the result folder's lock (removing the folder if the session
 * created it and it is empty). */
void cli_session_end(cli_session *s);

/*
 * Takes the result folder dir for the whole command: locks it (io/lock.h;
 * creating it if needed), then checks that it holds no results of another
 * command or of another scenario than `name` (NULL: not checked), or with
 * --force removes them (io/folder.h).  lock: where the held lock goes.
 * This happens only where root is set; with e (may be NULL) the outcome is
 * broadcast, so that every MPI rank returns the same status.  Returns 0, or
 * prints "alignsim COMMAND: error: ..." and returns the exit status: 1 when
 * another process holds the folder ("DIR is being written by process PID
 * (...)") or on an I/O error, 2 for a folder of other results.
 */
int cli_lock_dir(const cli_options *o, const char *dir, const char *name, int root, engine *e, io_lock **lock);

/* cli_lock_dir() for a session's folder. */
int cli_session_lock(cli_session *s, const cli_options *o, const char *dir, const char *name);

/*
 * Reports a study's failure or interruption on the root and returns the
 * exit status of st: for AS_ESTOPPED "alignsim COMMAND: interrupted; KEPT
 * in DIR." and how to continue (kept NULL: the command cannot be
 * continued; "nothing was written"); for another failure err, prefixed with
 * "alignsim COMMAND: error: " unless it is a located FILE:LINE: error:
 * message already (fallback: "failed").  Nothing for AS_OK.
 */
int cli_study_status(const char *command, int st, const char *err, const char *kept, const char *dir, int root);

/*
 * The exit status of an AS_* code (base/status.h): 0 for AS_OK, 2 for
 * AS_EUSAGE, 128 + stopped_by for AS_ESTOPPED (130 for SIGINT, 143 for
 * SIGTERM; 130 when stopped_by is 0), 1 for everything else.
 */
int cli_exit_status(int code, int stopped_by);

/* The --set overrides joined by spaces ("none" without any), as the
 * provenance line `# overrides:` records them. */
void cli_overrides_text(const cli_options *o, char *buf, size_t len);

/* alignsim batch SCENARIO [-n REPS] [-j THREADS] [-o DIR] [-s SEED]
 *                [--resume] [--only REP|FIRST-LAST] [-q] [--set PATH=VALUE]... */
int cmd_batch(const cli_options *o);

/* alignsim claim SCENARIO [-n REPS] [-j THREADS] [-o DIR] [-s SEED]
 *                [--resume] [-q] [--set PATH=VALUE]... */
int cmd_claim(const cli_options *o);

/* alignsim compare DIR_A DIR_B [DIR_C...] [-o DIR] [-j THREADS] [-q] */
int cmd_compare(const cli_options *o);

/*
 * Loads the sweep file named by o->positional[0] into *sf (initialised by
 * the caller), its scenario into *spec and *resolved, and checks the swept
 * parameter paths (need_range: each needs min and max).  Prints every
 * diagnostic.  Returns 0, 1 (unreadable file) or 2 (bad sweep file or
 * scenario); on 0 the caller clears sf and spec and frees *resolved.
 * (cmd_sweep.c)
 */
int cli_load_sweep(const cli_options *o, int need_range, sweep_file *sf, model_spec *spec,
                   char **resolved);

/* alignsim sweep SWEEP [-n REPS] [-j THREADS] [-o DIR] [--list] [-q] */
int cmd_sweep(const cli_options *o);

/* alignsim calibrate SCENARIO [-o DIR] [-n REPS] [-s SEED] [-j THREADS] [-q]
 *                    [--set PATH=VALUE]... */
int cmd_calibrate(const cli_options *o);

/* alignsim sensitivity SWEEP [-o DIR] [-n REPS] [-j THREADS] [-q] */
int cmd_sensitivity(const cli_options *o);

/* alignsim infer SCENARIO... [-o DIR] [-j THREADS] [-s SEED] [--resume]
 *                [--fit-until YEAR] [-q] [--set PATH=VALUE]... (cmd_infer.c) */
int cmd_infer(const cli_options *o);

/* alignsim report DIR... [-o FILE] [--title TEXT] [-j N] [-q] (cmd_report.c) */
int cmd_report(const cli_options *o);

#endif
