package main

import (
	"context"

	"github.com/trennwand/trennwand/mdm"
)

// EnrolmentCertificates lists what the CA issued to one enrolment, for the per-employee
// report.
func (c caCertificates) EnrolmentCertificates(ctx context.Context, tenantID, enrolmentID string) ([]mdm.DeviceCertificate, error) {
	ca, err := c.in.CA(ctx)
	if err != nil {
		return nil, err
	}
	infos, err := ca.Certificates(ctx, tenantID, enrolmentID)
	if err != nil {
		return nil, err
	}
	out := make([]mdm.DeviceCertificate, len(infos))
	for i, ci := range infos {
		out[i] = mdm.DeviceCertificate{Serial: ci.Serial, Subject: ci.Subject, NotBefore: ci.NotBefore, NotAfter: ci.NotAfter, Revoked: ci.Revoked}
	}
	return out, nil
}
