package mdm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// sealerCheck is sealed with the master key when an installation is created; opening it
// later proves that the key in use is the one the installation's secrets are sealed with.
const (
	sealerCheckName  = "sealer-check"
	sealerCheckValue = "trennwand master key check"
)

// ErrWrongMasterKey means the master key in use cannot open this installation's secrets.
var ErrWrongMasterKey = errors.New("the master key does not belong to this installation: its secrets cannot be opened with it")

// CheckSealer makes sure the service seals with the installation's master key. On an
// installation without a check value it stores one when create is set (a new
// installation); otherwise it opens the stored one and fails with ErrWrongMasterKey when
// that is impossible, before anything is sealed with a wrong key.
func (s *Service) CheckSealer(ctx context.Context, create bool) error {
	stored, err := s.store.Tenants().InstallationSetting(ctx, sealerCheckName)
	if errors.Is(err, ErrNotFound) {
		if !create {
			return nil
		}
		sealed, sealErr := s.sealer.Seal(sealerCheckName, []byte(sealerCheckValue))
		if sealErr != nil {
			return fmt.Errorf("seal master key check: %w", sealErr)
		}
		if createErr := s.store.Tenants().CreateInstallationSetting(ctx, sealerCheckName, sealed); !errors.Is(createErr, ErrConflict) {
			return createErr
		}
		// Another replica created the installation at the same moment: check its value.
		stored, err = s.store.Tenants().InstallationSetting(ctx, sealerCheckName)
	}
	if err != nil {
		return fmt.Errorf("read master key check: %w", err)
	}
	plain, err := s.sealer.Open(sealerCheckName, stored)
	if err != nil || !bytes.Equal(plain, []byte(sealerCheckValue)) {
		return ErrWrongMasterKey
	}
	return nil
}
