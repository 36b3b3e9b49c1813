package demo

import (
	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// What the demo seeds that people read — the employer and its privacy contact, the sample
// work policy, the apps' names in the catalogues and their settings' titles — is in German,
// the language an installation speaks unless a reader asks for English: these texts are
// data, which the message catalogues do not translate.

// contacts are the demo tenant's employer and privacy contact.
var contacts = enrolment.Contacts{Employer: "Stadt Musterstadt (Demo)",
	PrivacyContact: "Datenschutz der Stadt Musterstadt, datenschutz@musterstadt.example"}

// mailTitle is the name of the sample mail app in managed Google Play and in Apps and Books.
const mailTitle = "Dienst-Mail (Demo)"

// playApp is an app of the AMAPI fake's catalogue with the managed properties of its
// schema.
type playApp struct {
	pkg, title string
	properties []*amapi.ManagedProperty
}

// playApps are the sample policy's Android apps as managed Google Play lists them.
var playApps = []playApp{
	{mailAndroid, mailTitle, []*amapi.ManagedProperty{
		{Key: "server", Type: "STRING", Title: "Mail-Server", Description: "Adresse des Mail-Servers der Verwaltung"},
		{Key: "port", Type: "INTEGER", Title: "Port", Description: "Port des Mail-Servers (IMAP über TLS: 993)"}}},
	{messengerAndroid, "Dienst-Messenger (Demo)", []*amapi.ManagedProperty{
		{Key: "organisation", Type: "STRING", Title: "Organisation", Description: "Name der Organisation im Messenger"}}},
}

// samplePolicy is the work policy a demo tenant without one gets.
var samplePolicy = mdm.WorkPolicy{
	Name:                 "Demo: Verwaltung",
	Description:          "Dienst-Mail und Messenger für das Rathaus; Kopieren aus dem Arbeitsbereich in private Apps ist gesperrt.",
	WorkPasscodeRequired: true,
	Apps: []mdm.AppAssignment{
		{Platform: mdm.PlatformAndroid, AppID: mailAndroid, InstallType: mdm.InstallRequired,
			ManagedConfig: `{"server":"mail.musterstadt.example","port":993}`},
		{Platform: mdm.PlatformAndroid, AppID: messengerAndroid, InstallType: mdm.InstallRequired,
			ManagedConfig: `{"organisation":"Musterstadt"}`},
		{Platform: mdm.PlatformIOS, AppID: MailIOS, InstallType: mdm.InstallRequired,
			ManagedConfig: `{"server":"mail.musterstadt.example","port":993}`},
	},
}
