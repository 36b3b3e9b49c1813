package depfake

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// TokenFileFor is TokenFile for the certificate in PEM, as the MDM server hands it out
// for Apple Business Manager.
func (s *Server) TokenFileFor(certPEM []byte) ([]byte, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("the server's certificate is not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the server's certificate: %w", err)
	}
	return s.TokenFile(cert)
}

// TokenFile returns the organisation's server token file as Apple Business Manager hands
// it out (the .p7m that IT downloads after uploading the MDM server's public key): the
// OAuth tokens as JSON inside a text message, encrypted (CMS enveloped data) to cert, in an
// S/MIME wrapper with its base64 body.
func (s *Server) TokenFile(cert *x509.Certificate) ([]byte, error) {
	tokens, err := json.Marshal(s.Tokens())
	if err != nil {
		return nil, err
	}
	message := "Content-Type: text/plain;charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
		"-----BEGIN MESSAGE-----\r\n" + string(tokens) + "\r\n-----END MESSAGE-----\r\n"
	enveloped, err := pkcs7.Encrypt([]byte(message), []*x509.Certificate{cert})
	if err != nil {
		return nil, fmt.Errorf("encrypt the server token: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("Content-Type: application/pkcs7-mime; name=\"smime.p7m\"; smime-type=enveloped-data\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"smime.p7m\"\r\n" +
		"Content-Description: S/MIME Encrypted Message\r\n\r\n")
	body := base64.StdEncoding.EncodeToString(enveloped)
	for len(body) > 76 {
		b.WriteString(body[:76] + "\r\n")
		body = body[76:]
	}
	b.WriteString(body + "\r\n")
	return b.Bytes(), nil
}
