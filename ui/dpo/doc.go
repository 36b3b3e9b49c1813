// Package dpo renders what the data-protection officer reads: the report about one
// employee (Art. 15 GDPR) as JSON and as a printable page, and the record of processing
// (Art. 30 GDPR) as Markdown and as a printable page, a tenant's data-protection settings,
// and the result of checking the audit trails.
package dpo
