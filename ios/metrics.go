package ios

import (
	apple "github.com/micromdm/nanomdm/mdm"
)

// checkinType names a check-in message for the metrics: Apple's MessageType, from the
// decoded message's type, so that nothing the phone wrote becomes a label.
func checkinType(msg any) string {
	switch msg.(type) {
	case *apple.Authenticate:
		return "Authenticate"
	case *apple.TokenUpdate:
		return "TokenUpdate"
	case *apple.CheckOut:
		return "CheckOut"
	case *apple.UserAuthenticate:
		return "UserAuthenticate"
	case *apple.SetBootstrapToken:
		return "SetBootstrapToken"
	case *apple.GetBootstrapToken:
		return "GetBootstrapToken"
	case *apple.DeclarativeManagement:
		return "DeclarativeManagement"
	case *apple.GetToken:
		return "GetToken"
	}
	return "other"
}

// reportStatuses are the statuses a phone reports on the command endpoint.
var reportStatuses = map[string]bool{"Idle": true, "Acknowledged": true, "Error": true, "CommandFormatError": true, "NotNow": true}

// reportType names a message on the command endpoint for the metrics: Idle (the phone
// asks for its next command) or the status of the answer it reports.
func reportType(r *apple.CommandResults) string {
	if reportStatuses[r.Status] {
		return r.Status
	}
	return "other"
}
