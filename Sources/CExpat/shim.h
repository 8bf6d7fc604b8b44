#ifndef TOCSIN_CEXPAT_SHIM_H
#define TOCSIN_CEXPAT_SHIM_H
#include <expat.h>

/* Expat 2.6 added "reparse deferral": an incomplete token is not retried until the buffer has
 * grown enough. On an interactive stream (XMPP) that can hold back the stanza the peer just
 * finished sending, so the XMPP stream parser turns it off. Older expat has no such feature
 * (and no such function), hence the version check. */
static inline void tocsin_expat_disable_reparse_deferral(XML_Parser parser) {
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 6)
    XML_SetReparseDeferralEnabled(parser, XML_FALSE);
#else
    (void)parser;
#endif
}

#endif
