"""What a browser shows for an enrollment link: how to give the link to
AgentDesk. Opening the page does not use the link up, and the page says
nothing about whether it is still good (that is for AgentDesk to learn
when it redeems it). Plain HTML: no script, no style, no outside
resource, everything from the request escaped."""

from __future__ import annotations

from html import escape

from aiohttp import web

# Nothing may load or run; the link (a secret) is not handed on as a referrer,
# nor kept in a cache or shown inside another site's frame.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def instructions_page(link: str) -> web.Response:
    shown = escape(link)
    body = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Set up AgentDesk</title></head>
<body>
<h1>Set up AgentDesk on this computer</h1>
<p>This link sets up AgentDesk for you: your phone account, the desk service and your settings.
It works once, for a limited time.</p>
<p>In AgentDesk, choose <strong>Set up from a link</strong> and paste the link. Or run in a terminal:</p>
<pre>agentdesk provision '{shown}'</pre>
<p>Opening this page has not used the link up.</p>
</body>
</html>
"""
    return web.Response(text=body, content_type="text/html", charset="utf-8", headers=HEADERS)


def not_a_link_page() -> web.Response:
    body = ("<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Not an enrollment link"
            "</title></head>\n<body>\n<p>This is not an AgentDesk enrollment link: check that you copied it "
            "whole, or ask your administrator for a new one.</p>\n</body>\n</html>\n")
    return web.Response(status=404, text=body, content_type="text/html", charset="utf-8", headers=HEADERS)
