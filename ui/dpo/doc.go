// Package dpo renders what the data-protection officer reads: the report about one
// employee (Art. 15 GDPR) as JSON and as a printable page, the record of processing
// (Art. 30 GDPR) and the drafts for approval (impact assessment, service agreement, BSI
// mapping) as Markdown and as printable pages, a tenant's data-protection settings, and
// the result of checking the audit trails.
package dpo
