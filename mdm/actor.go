package mdm

// ActorSystem is the audit actor for what the server does on its own: first start,
// retention, scheduled checks.
const ActorSystem = "system"

// CLIActor is the audit actor for a command-line call by the operating-system user osUser.
func CLIActor(osUser string) string {
	if osUser == "" {
		osUser = "unknown"
	}
	return "cli:" + osUser
}
