// Package audit is the audit trail's own part of the domain: what an event is, the one
// catalogue of actions and subject kinds an event may name, the one JSON shape every
// reader gets (export, API, Art. 15 report), the hash chain that makes a change visible
// and the signed checkpoints that make a rewrite visible. It imports nothing of the
// project, so every other part of the core can write to it.
package audit
