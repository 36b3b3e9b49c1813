package api

// SpecPath lets the external tests find an echo route's operation in the document the
// way the server does.
var SpecPath = specPath
