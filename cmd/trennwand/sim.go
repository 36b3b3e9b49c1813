package main

import (
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/sim"
	"github.com/trennwand/trennwand/ui/output"
)

func newSimCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sim ios|android",
		Short: "Simulated phones that enrol and check in with the real protocols, for demos and load",
		Long: `Run simulated phones against a server. Each phone's employee is invited through the
JSON API with the token; then the phone enrols as a real one does.

iOS: discovery, the enrolment request (401), the web sign-in with the invitation code,
the signed enrolment profile, SCEP, Authenticate and TokenUpdate, then answering the
MDM commands it is sent (its work apps). Works against any server. With --ios-version
17 or later the phones also speak Declarative Device Management when the server sends
them the DeclarativeManagement command; the summary then counts their syncs, the
declarations they fetched and their status reports. With --ownership company the
iPhones are company-owned: they enrol by account-driven Device Enrollment (mdm-adde),
speak for their device channel by UDID and tell their serial number when asked.

Android: the portal (privacy notice, enrolment link), then the enrolment token is
redeemed at the AMAPI fake, which notifies the server through Pub/Sub; status reports
follow. Needs a server started with --demo (its demo-only endpoints play the phone's
side at the fake).

After enrolling, each phone checks in until it has its work apps (up to --settle),
then --checkins more times. The summary gives enrolled and configured phones, errors,
enrolments per second, check-ins per second and the latency of the phones' requests.`,
		Example: `  trennwand sim ios --server https://localhost:8443 --token twk_… --count 100
  trennwand sim android --server https://localhost:8443 --token twk_… --count 20 --rate 5 --json`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 || (args[0] != "ios" && args[0] != "android") {
				return usagef("%s takes the platform: ios or android (see %s --help)", c.CommandPath(), c.CommandPath())
			}
			return nil
		},
		RunE: runSim,
	}
	f := c.Flags()
	f.String("server", "", "the server's base URL, as phones reach it (its public URL)")
	f.String("token", "", "API token of the tenant (trennwand token create --role admin); env TRENNWAND_SIM_TOKEN")
	f.Int("count", 10, "how many phones")
	f.Float64("rate", 0, "enrolments started per second (0: as fast as --concurrency allows)")
	f.Int("concurrency", 8, "phones working at the same time")
	f.Int("checkins", 3, "check-ins per phone after it has its work apps")
	f.Duration("settle", time.Minute, "how long a phone waits for its work apps")
	f.Duration("retry", 0, "how long a phone retries a failed enrolment step, every half second (0: never), as phones do while their server restarts")
	f.String("ca", "", "PEM file of the server's root certificate (default: fetched from /pki/ca.pem, trusted on first use)")
	f.String("ios-version", "", "the iOS version the iPhones report (for example 18.5); from 17 on they speak Declarative Device Management when the server asks (empty: they report none)")
	f.String("ownership", "", "whose phones they are: personal (the employees' own, the default) or company; company-owned iPhones enrol by account-driven Device Enrollment (use --ios-version 17 or later)")
	f.Int("keys", 8, "RSA keys the phones share (key generation would otherwise measure the simulator); 0: a new key per phone")
	return c
}

func runSim(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	server, _ := f.GetString("server")
	token, _ := f.GetString("token")
	if token == "" {
		token = os.Getenv("TRENNWAND_SIM_TOKEN")
	}
	server = strings.TrimRight(server, "/")
	if !strings.HasPrefix(server, "https://") || token == "" {
		return usagef("sim needs --server https://… and --token (see %s --help)", cmd.CommandPath())
	}
	if _, err := url.Parse(server); err != nil {
		return usagef("--server: %v", err)
	}
	count, _ := f.GetInt("count")
	concurrency, _ := f.GetInt("concurrency")
	checkins, _ := f.GetInt("checkins")
	keyCount, _ := f.GetInt("keys")
	if count < 1 || concurrency < 1 || checkins < 0 || keyCount < 0 {
		return usagef("--count and --concurrency must be at least 1, --checkins and --keys at least 0")
	}
	var caPEM []byte
	if caFile, _ := f.GetString("ca"); caFile != "" {
		var err error
		if caPEM, err = os.ReadFile(caFile); err != nil {
			return usagef("--ca: %v", err)
		}
	}
	s, err := sim.Connect(cmd.Context(), cmd.ErrOrStderr(), mdm.Platform(args[0]), server, token, caPEM, concurrency, keyCount)
	if err != nil {
		return err
	}
	s.Count = count
	s.Rate, _ = f.GetFloat64("rate")
	s.Checkins = checkins
	s.Settle, _ = f.GetDuration("settle")
	s.Retry, _ = f.GetDuration("retry")
	s.IOSVersion, _ = f.GetString("ios-version")
	if ownership, _ := f.GetString("ownership"); ownership != "" {
		if ownership != string(mdm.OwnershipPersonal) && ownership != string(mdm.OwnershipCompany) {
			return usagef("--ownership: use personal or company")
		}
		s.Ownership = mdm.Ownership(ownership)
	}
	jsonOut, _ := f.GetBool("json")
	if file, ok := cmd.ErrOrStderr().(*os.File); ok && !jsonOut && term.IsTerminal(int(file.Fd())) {
		s.Progress = file
	}
	sum := s.Run(cmd.Context())
	if jsonOut {
		if err := output.JSON(cmd.OutOrStdout(), sum); err != nil {
			return err
		}
	} else if err := sum.WriteText(cmd.OutOrStdout()); err != nil {
		return err
	}
	return sum.Err()
}
