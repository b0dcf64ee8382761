// GOV.UK Frontend's body classes, set before the page is drawn. A file rather than the usual inline
// script, so the Content-Security-Policy allows scripts from our own origin only (no nonce needed).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
