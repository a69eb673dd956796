"""CRM integration: customer look-up for the screen-pop (`lookup`) and a
small demo CRM to try it against (`demo`, ``python -m agentdesk.desktop.crm.demo``).
Nothing is imported here, so each module loads only what it needs.
"""
