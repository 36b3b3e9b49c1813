// Package ui renders the server-side pages: the IT dashboard under /ui and the employee
// portal under /e/{code}. Pages are plain HTML forms first; assets are embedded.
package ui
