package mdm

import "context"

// DeviceForgetter is a platform's part of deleting devices whose retention has ended: it
// deletes the platform's own rows of the devices (protocol state, certificate bindings,
// installed work apps) inside tx, the transaction that deletes the device rows and
// records their deletion, so that either all of a device's data goes or none.
type DeviceForgetter interface {
	ForgetDevices(ctx context.Context, tx Store, tenantID string, ds []Device) error
}

// WithDeviceForgetters gives the retention sweep the platforms' parts of deleting a
// device.
func WithDeviceForgetters(fs ...DeviceForgetter) Option {
	return func(s *Service) { s.forgetters = append(s.forgetters, fs...) }
}

// forgetDevices has every platform forget the devices, inside tx.
func (s *Service) forgetDevices(ctx context.Context, tx Store, tenantID string, ds []Device) error {
	for _, f := range s.forgetters {
		if err := f.ForgetDevices(ctx, tx, tenantID, ds); err != nil {
			return err
		}
	}
	return nil
}
