/* pjproject's build-time settings for AgentDesk's pjsua2 (installers/pjsua2/build.py
 * copies this file to pjlib/include/pj/config_site.h before configuring). */

/* Calls one process may hold. The desktop's own rule is two live calls
 * (agentdesk/desktop/phone/core.py, MAX_CALLS); pjsua also counts calls
 * still ending and offers it refuses, so a burst of offers must not hit
 * this cap first (pjsua's default is 4). */
#define PJSUA_MAX_CALLS 32

/* Sockets pjlib's event loop watches: the SIP transports plus RTP and RTCP
 * for each call (the default, 64, would run out before 32 calls). */
#define PJ_IOQUEUE_MAX_HANDLES 256

/* Audio only: the desktop has no video. */
#define PJMEDIA_HAS_VIDEO 0
#define PJSUA_HAS_VIDEO 0

/* SIP over TLS (the system's OpenSSL) and encrypted audio: SDES-SRTP over a
 * TLS hop, and DTLS-SRTP. */
#define PJ_HAS_SSL_SOCK 1
#define PJMEDIA_HAS_SRTP 1
#define PJMEDIA_SRTP_HAS_DTLS 1
