"""The C declarations AgentDesk's audio path calls through cffi: PortAudio,
pjmedia and pjlib (from pjsua2's shared object) and the C media clock
(_fastclock.c).

cffi parses them ahead of time (`python -m agentdesk.desktop.audio.cdefs`
writes _native_ffi.py, which tests/desktop/audio/test_cdefs.py keeps equal to
these): parsing them at start-up needed pycparser, about 50 ms and 1 MB.
"""

from __future__ import annotations

from pathlib import Path

GENERATED = Path(__file__).with_name("_native_ffi.py")

DECLARATIONS = """
typedef int PaError;
typedef int PaDeviceIndex;
typedef unsigned long PaSampleFormat;
typedef double PaTime;
typedef unsigned long PaStreamFlags;
typedef unsigned long PaStreamCallbackFlags;
typedef void PaStream;
typedef struct {
    PaDeviceIndex device;
    int channelCount;
    PaSampleFormat sampleFormat;
    PaTime suggestedLatency;
    void *hostApiSpecificStreamInfo;
} PaStreamParameters;
typedef struct {
    PaTime inputBufferAdcTime;
    PaTime currentTime;
    PaTime outputBufferDacTime;
} PaStreamCallbackTimeInfo;
typedef int PaStreamCallback(const void *input, void *output, unsigned long frameCount,
                             const PaStreamCallbackTimeInfo *timeInfo, PaStreamCallbackFlags statusFlags,
                             void *userData);
PaError Pa_OpenStream(PaStream **stream, const PaStreamParameters *inputParameters,
                      const PaStreamParameters *outputParameters, double sampleRate,
                      unsigned long framesPerBuffer, PaStreamFlags streamFlags,
                      PaStreamCallback *streamCallback, void *userData);
PaError Pa_StartStream(PaStream *stream);
PaError Pa_StopStream(PaStream *stream);
PaError Pa_CloseStream(PaStream *stream);
const char *Pa_GetErrorText(PaError errorCode);
PaDeviceIndex Pa_GetDefaultInputDevice(void);
PaDeviceIndex Pa_GetDefaultOutputDevice(void);

typedef struct {
    int type;
    void *buf;
    size_t size;
    uint64_t timestamp;
    uint32_t bit_info;
} pjmedia_frame;
int pjmedia_port_put_frame(void *port, pjmedia_frame *frame);
int pjmedia_port_get_frame(void *port, pjmedia_frame *frame);
void *pjsua_set_no_snd_dev(void);
int pjmedia_codec_g722_set_pcm_shift(unsigned val);
typedef struct {
    long sec;
    long msec;
} pj_time_val;
void *pjsua_get_pjmedia_endpt(void);
void *pjmedia_endpt_get_ioqueue(void *endpt);
int pjmedia_endpt_stop_threads(void *endpt);
int pj_ioqueue_poll(void *ioqueue, const pj_time_val *timeout);
int pj_thread_is_registered(void);
int pj_thread_register(const char *name, long *desc, void **thread);

typedef struct ad_clock ad_clock;
typedef int ad_frame_fn(void *port, pjmedia_frame *frame);
typedef int ad_is_registered_fn(void);
typedef int ad_register_fn(const char *name, long *desc, void **thread);
typedef void ad_hook_fn(const void *microphone, void *speaker, unsigned long flags);
ad_clock *ad_clock_new(ad_hook_fn *hook);
void ad_clock_free(ad_clock *clock);
void ad_clock_attach(ad_clock *clock, void *master, ad_frame_fn *put, ad_frame_fn *get,
                     ad_is_registered_fn *is_registered, ad_register_fn *register_thread);
void ad_clock_detach(ad_clock *clock);
void ad_clock_hook(ad_clock *clock, int on);
void ad_clock_counts(const ad_clock *clock, unsigned long counts[3]);
void ad_clock_tick(ad_clock *clock, const void *microphone, void *speaker);
int ad_clock_callback(const void *input, void *output, unsigned long frameCount,
                      const PaStreamCallbackTimeInfo *timeInfo, PaStreamCallbackFlags statusFlags, void *userData);
"""


def generated_source() -> str:
    """The module cffi writes for DECLARATIONS (what _native_ffi.py holds)."""
    import contextlib
    import io
    import tempfile

    import cffi

    builder = cffi.FFI()
    builder.cdef(DECLARATIONS)
    builder.set_source("_native_ffi", None)
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()):
        target = Path(folder) / "_native_ffi.py"
        builder.emit_python_code(str(target))
        return target.read_text(encoding="utf-8")


if __name__ == "__main__":
    GENERATED.write_text(generated_source(), encoding="utf-8")
    print(f"wrote {GENERATED}")
