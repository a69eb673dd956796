"""The look: a calm, light professional palette with clear call colours."""

from __future__ import annotations

ACCENT = "#1a73e8"
GOOD = "#1e8e3e"
BAD = "#d93025"
WARN = "#e37400"
MUTED = "#5f6368"

STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: #f6f8fb; }}
QWidget {{ font-size: 10pt; }}
#Header {{ background: #ffffff; border-bottom: 1px solid #dadce0; }}
#AgentName {{ font-size: 11pt; font-weight: 600; color: #202124; }}
#StatePill {{ border-radius: 10px; padding: 2px 10px; font-weight: 600; color: #ffffff; }}
#StatePill[state="registered"] {{ background: {GOOD}; }}
#StatePill[state="registering"] {{ background: {WARN}; }}
#StatePill[state="unreachable"] {{ background: {WARN}; }}
#StatePill[state="failed"] {{ background: {BAD}; }}
#StatePill[state="offline"] {{ background: {MUTED}; }}
#NumberEntry {{ font-size: 14pt; padding: 6px 10px; border: 1px solid #dadce0; border-radius: 8px;
                background: #ffffff; }}
#NumberEntry:focus {{ border: 2px solid {ACCENT}; }}
#DialButton, #AnswerButton {{ background: {GOOD}; border: none; border-radius: 18px; color: white;
                              font-weight: 600; padding: 6px 14px; }}
#DialButton:hover, #AnswerButton:hover {{ background: #188038; }}
#DialButton:disabled {{ background: #a8c7b0; }}
#HangupButton, #DeclineButton {{ background: {BAD}; border: none; border-radius: 18px; color: white;
                                 font-weight: 600; padding: 6px 14px; }}
#HangupButton:hover, #DeclineButton:hover {{ background: #b3261e; }}
#PadKey {{ font-size: 14pt; min-width: 64px; min-height: 44px; border: 1px solid #dadce0; border-radius: 10px;
           background: #ffffff; }}
#PadKey:pressed {{ background: #e8f0fe; }}
#CallCard {{ background: #ffffff; border: 1px solid #dadce0; border-radius: 12px; }}
#CallCard[focused="true"] {{ border: 2px solid {ACCENT}; }}
#CallCard[ringing="true"] {{ border: 2px solid {GOOD}; background: #f1f8f3; }}
#CallerName {{ font-size: 13pt; font-weight: 600; color: #202124; }}
#CallerDetail, #CallState {{ color: {MUTED}; }}
#CallQuality {{ font-weight: 600; }}
#CallQuality[level="good"] {{ color: #137333; }}
#CallQuality[level="fair"] {{ color: #b06000; }}
#CallQuality[level="poor"] {{ color: #c5221f; }}
#CallTimer {{ font-size: 13pt; font-family: monospace; color: #202124; }}
#QueueBadge {{ background: #e8f0fe; color: {ACCENT}; border-radius: 8px; padding: 1px 8px; font-weight: 600; }}
#CallControl {{ border: 1px solid #dadce0; border-radius: 8px; background: #ffffff; padding: 4px 10px; }}
#CallControl:checked {{ background: #fce8e6; border-color: {BAD}; }}
#SectionTitle {{ color: {MUTED}; font-weight: 600; text-transform: uppercase; font-size: 8pt; }}
#Placeholder {{ color: {MUTED}; }}
#Problem {{ color: {BAD}; }}
#AudioWarning {{ background: #fef7e0; color: #8a5300; border: 1px solid #f9dc8c; border-radius: 8px;
                 padding: 4px 8px; }}
#SupervisionBanner, #LeadNotice {{ background: #e8f0fe; color: #174ea6; border-radius: 8px; padding: 3px 8px;
                                  font-weight: 600; }}
#IncomingWindow {{ background: #ffffff; border: 2px solid {GOOD}; border-radius: 12px; }}
QListWidget#History {{ background: #ffffff; border: 1px solid #dadce0; border-radius: 8px; }}
QListWidget#History::item {{ padding: 6px; border-bottom: 1px solid #f1f3f4; }}
QListWidget#History::item:selected {{ background: #e8f0fe; color: #202124; }}
"""
