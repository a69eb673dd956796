/* The media clock's hot path in C: the sound device's callback ticks
 * pjmedia's conference bridge without entering Python.
 *
 * Every 20 ms PortAudio calls ad_clock_callback on its own thread with the
 * device's buffers: the microphone frame goes to the bridge's master port
 * (put_frame) and the mix for the speaker comes back (get_frame). In Python
 * the same step costs a GIL acquisition per frame - CPU on every call and,
 * worse, a wait whenever another thread holds the GIL (a busy window): the
 * speaker then runs dry. Here nothing waits on Python unless a hook is
 * asked for (a ring-back tone or the level meter, see audio/bridge.py).
 *
 * The pjmedia and pjlib functions arrive as pointers (audio/native.py
 * finds them in pjsua2's own shared object), so this file needs no
 * headers but the C library's and builds without Python's: setuptools
 * builds it like an extension module, Python never imports it, cffi
 * opens it.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#define EXPORT __declspec(dllexport)
#define THREAD_LOCAL __declspec(thread)
typedef SRWLOCK ad_lock;
#define LOCK_INIT(l) InitializeSRWLock(l)
#define LOCK(l) AcquireSRWLockExclusive(l)
#define UNLOCK(l) ReleaseSRWLockExclusive(l)
#define LOCK_FREE(l) ((void)0)
#else
#include <pthread.h>
#define EXPORT __attribute__((visibility("default")))
#define THREAD_LOCAL _Thread_local
typedef pthread_mutex_t ad_lock;
#define LOCK_INIT(l) pthread_mutex_init((l), NULL)
#define LOCK(l) pthread_mutex_lock(l)
#define UNLOCK(l) pthread_mutex_unlock(l)
#define LOCK_FREE(l) pthread_mutex_destroy(l)
#endif

#define RATE 16000
#define FRAME_SAMPLES (RATE / 50)
#define FRAME_BYTES (FRAME_SAMPLES * 2)
#define FRAME_AUDIO 1          /* PJMEDIA_FRAME_TYPE_AUDIO */
#define PA_CONTINUE 0
#define PA_INPUT_OVERFLOW 0x02
#define PA_OUTPUT_UNDERFLOW 0x04
#define THREAD_DESC_LONGS 64   /* PJ_THREAD_DESC_SIZE */

/* pjmedia_frame's layout */
typedef struct {
    int type;
    void *buf;
    size_t size;
    uint64_t timestamp;
    uint32_t bit_info;
} ad_frame;

typedef int (*ad_frame_fn)(void *port, ad_frame *frame);
typedef int (*ad_is_registered_fn)(void);
typedef int (*ad_register_fn)(const char *name, long *desc, void **thread);
/* Python's part of a step, when asked for: (microphone, speaker, flags) */
typedef void (*ad_hook_fn)(const void *microphone, void *speaker, unsigned long flags);

typedef struct {
    ad_lock lock;              /* held while ticking; detach waits on it */
    void *master;              /* NULL: not attached, the speaker gets silence */
    ad_frame_fn put, get;
    ad_is_registered_fn is_registered;
    ad_register_fn register_thread;
    uint64_t timestamp;
    ad_hook_fn hook;
    volatile int hooked;
    /* counted by ad_clock_callback's thread, read by any (they only grow) */
    volatile unsigned long ticks, underruns, overruns;
} ad_clock;

/* pjlib keeps a pointer to the descriptor of every thread registered with
 * it, so each thread's stays where it is for the thread's life. */
static THREAD_LOCAL long thread_desc[THREAD_DESC_LONGS];

EXPORT ad_clock *ad_clock_new(ad_hook_fn hook) {
    ad_clock *clock = calloc(1, sizeof(ad_clock));
    if (clock == NULL)
        return NULL;
    LOCK_INIT(&clock->lock);
    clock->hook = hook;
    return clock;
}

EXPORT void ad_clock_free(ad_clock *clock) {
    LOCK_FREE(&clock->lock);
    free(clock);
}

EXPORT void ad_clock_attach(ad_clock *clock, void *master, ad_frame_fn put, ad_frame_fn get,
                            ad_is_registered_fn is_registered, ad_register_fn register_thread) {
    LOCK(&clock->lock);
    clock->put = put;
    clock->get = get;
    clock->is_registered = is_registered;
    clock->register_thread = register_thread;
    clock->timestamp = 0;
    clock->master = master;
    UNLOCK(&clock->lock);
}

/* After this returns no tick reaches pjmedia (one in progress has ended). */
EXPORT void ad_clock_detach(ad_clock *clock) {
    LOCK(&clock->lock);
    clock->master = NULL;
    UNLOCK(&clock->lock);
}

EXPORT void ad_clock_hook(ad_clock *clock, int on) { clock->hooked = on; }

/* What ad_clock_callback counted: ticks, underruns, overruns. */
EXPORT void ad_clock_counts(const ad_clock *clock, unsigned long counts[3]) {
    counts[0] = clock->ticks;
    counts[1] = clock->underruns;
    counts[2] = clock->overruns;
}

/* One 20 ms step: `microphone` to the calls, their mix into `speaker`. */
EXPORT void ad_clock_tick(ad_clock *clock, const void *microphone, void *speaker) {
    ad_frame frame;
    LOCK(&clock->lock);
    if (clock->master == NULL) {
        memset(speaker, 0, FRAME_BYTES);
    } else {
        if (!clock->is_registered()) {
            void *thread = NULL;
            memset(thread_desc, 0, sizeof thread_desc);
            clock->register_thread("audio", thread_desc, &thread);
        }
        frame.type = FRAME_AUDIO;
        frame.buf = (void *)microphone;
        frame.size = FRAME_BYTES;
        frame.timestamp = clock->timestamp;
        frame.bit_info = 0;
        clock->put(clock->master, &frame);
        frame.type = FRAME_AUDIO;
        frame.buf = speaker;
        frame.size = FRAME_BYTES;
        frame.timestamp = clock->timestamp;
        frame.bit_info = 0;
        clock->get(clock->master, &frame);
        if (frame.type != FRAME_AUDIO)
            memset(speaker, 0, FRAME_BYTES);
        clock->timestamp += FRAME_SAMPLES;
    }
    UNLOCK(&clock->lock);
}

/* A PortAudio stream callback (duplex, one 20 ms block, 16-bit mono). */
EXPORT int ad_clock_callback(const void *input, void *output, unsigned long frames, const void *time_info,
                             unsigned long flags, void *user) {
    ad_clock *clock = user;
    (void)time_info;
    if (input == NULL || output == NULL || frames != FRAME_SAMPLES) {
        /* not the duplex 20 ms stream this callback is for: play silence */
        if (output != NULL)
            memset(output, 0, frames * 2);
        return PA_CONTINUE;
    }
    ad_clock_tick(clock, input, output);
    clock->ticks++;
    if (flags & PA_OUTPUT_UNDERFLOW)
        clock->underruns++;
    if (flags & PA_INPUT_OVERFLOW)
        clock->overruns++;
    if (clock->hooked)
        clock->hook(input, output, flags);
    return PA_CONTINUE;
}

/* setuptools builds this file as an extension module; it is never imported
 * (cffi opens it), but some platforms' linkers want the entry point. */
EXPORT void *PyInit__fastclock(void) { return NULL; }
