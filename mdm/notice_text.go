package mdm

// The statements of the privacy notice. They follow the privacy rules: nothing of the
// private side of a phone is collected, nothing is ever sent to the employee's own phone
// that acts on the whole phone, and removing an enrolment removes the work container,
// never the phone's own data. On the employer's phone the employer may besides know the
// phone's hardware identifiers, lock it and erase it (noticeCompany…); the private side
// stays as private as on the employee's own phone.

var noticeCanSee = []NoticeItem{
	{ID: "can_see.work_apps", Commands: []CommandKind{CommandQueryWorkApps}, StatusItems: []string{"app.managed.list"},
		Text: NoticeText{
			DE: "welche Dienst-Apps im Arbeitsbereich installiert sind und in welcher Version",
			EN: "which work apps are installed in the work area, and their versions"}},
	{ID: "can_see.os_version", DeviceFields: []string{"OSVersion", "Platform", "SecurityPatchLevel"},
		StatusItems: []string{"device.operating-system.version", "device.operating-system.build-version"},
		Text: NoticeText{
			DE: "die Art des Geräts (iPhone/iPad oder Android), die Version des Betriebssystems (beim iPhone auch die Build-Nummer) und bei Android den Stand der Sicherheitsupdates",
			EN: "the kind of phone (iPhone/iPad or Android), the version of its operating system (on an iPhone also its build number) and, on Android, its security patch level"}},
	{ID: "can_see.compliance", DeviceFields: []string{"Compliance", "ComplianceUntil", "ComplianceReasons", "ReportedCompliance", "NonCompliance", "WorkPolicyID"},
		Text: NoticeText{
			DE: "ob der Arbeitsbereich die Regeln Ihres Arbeitgebers erfüllt und, wenn nicht, welche Regel verletzt ist (zum Beispiel ob ein Code für den Arbeitsbereich gesetzt ist)",
			EN: "whether the work area meets your employer's rules and, if not, which rule it misses (for example whether a work passcode is set)"}},
	{ID: "can_see.last_contact", DeviceFields: []string{"LastContactAt", "State"},
		Text: NoticeText{
			DE: "wann sich der Arbeitsbereich zuletzt beim Server gemeldet hat und ob er eingerichtet ist",
			EN: "when the work area last contacted the server, and whether it is set up"}},
}

var noticeCanSeeOn = map[Platform][]NoticeItem{
	PlatformIOS: {
		{ID: "can_see.ios_security", DeviceFields: []string{"ComplianceFacts.Passcode"},
			StatusItems: []string{"passcode.is-compliant", "passcode.is-present"},
			Text: NoticeText{
				DE: "ob ein Code gesetzt ist und ob er die Regeln erfüllt (ja oder nein, nie den Code selbst); ob ein iPhone verändert (\"gejailbreakt\") ist, kann Ihr Arbeitgeber nicht erkennen",
				EN: "whether a passcode is set and whether it meets the rules (yes or no, never the passcode itself); your employer cannot tell whether an iPhone is jailbroken"}},
		{ID: "can_see.ios_management", StatusItems: []string{"management.client-capabilities", "management.declarations"},
			Text: NoticeText{
				DE: "ab iOS 17.2: welche Verwaltungsfunktionen das Gerät unterstützt und ob es die Einstellungen Ihres Arbeitgebers angewendet hat; diese Angaben meldet das Gerät selbst, sobald sie sich ändern",
				EN: "from iOS 17.2: which management features the device supports and whether it has applied your employer's settings; the device reports these facts by itself as soon as they change"}},
		// security.certificate.list: on a User Enrolment the phone reports only the managed
		// keychain's certificates; ios/ddm keeps of each only what is named here.
		{ID: "can_see.ios_certificates", StatusItems: []string{"security.certificate.list"},
			Text: NoticeText{
				DE: "ab iOS 17.2: welche dienstlichen Zertifikate im Arbeitsbereich liegen (ihr Name, Aussteller, Ablaufdatum und die Seriennummer des Zertifikats), damit die IT abgelaufene oder gesperrte Zertifikate erkennt; Zertifikate außerhalb des Arbeitsbereichs meldet das Gerät nicht",
				EN: "from iOS 17.2: which work certificates are in the work area (their name, issuer, expiry date and the certificate's serial number), so that IT notices expired or revoked ones; the device does not report certificates outside the work area"}},
		{ID: "can_see.managed_apple_account",
			Text: NoticeText{
				DE: "den verwalteten Apple Account Ihres Arbeitgebers, mit dem Sie sich für den Arbeitsbereich anmelden (nicht Ihre private Apple-ID)",
				EN: "the managed Apple Account from your employer that you sign in to the work area with (not your private Apple ID)"}},
	},
	PlatformAndroid: {
		{ID: "can_see.android_security", DeviceFields: []string{"ComplianceFacts.Passcode", "ComplianceFacts.Integrity", "ComplianceFacts.IntegrityDetail"},
			Text: NoticeText{
				DE: "ob das Arbeitsprofil mit einem Code gesichert ist und ob Google das Gerät als unverändert einstuft (nicht gerootet)",
				EN: "whether the work profile is protected by a passcode, and whether Google rates the device as unmodified (not rooted)"}},
		{ID: "can_see.work_profile",
			Text: NoticeText{
				DE: "nur was das Arbeitsprofil meldet, nicht den privaten Teil Ihres Telefons",
				EN: "only what the work profile reports, not the private side of your phone"}},
		// AMAPI reports the work profile's enrolment-specific ID among hardware facts; it is
		// the one kept, because the companion app names the work profile by it to get the
		// device certificate.
		{ID: "can_see.enrollment_id",
			Text: NoticeText{
				DE: "eine Kennung, die Android nur für Ihren Arbeitgeber bildet (nicht IMEI oder Seriennummer), damit das Arbeitsprofil sein Zertifikat bekommt; sie bleibt gleich, wenn Sie das Telefon erneut einrichten",
				EN: "an identifier that Android makes for your employer alone (not the IMEI or serial number), so that the work profile gets its certificate; it stays the same if you set the phone up again"}},
	},
}

var noticeCannotSee = []NoticeItem{
	{ID: "cannot_see.personal_apps", Text: NoticeText{DE: "Ihre privaten Apps und was Sie darin tun", EN: "your personal apps and what you do in them"}},
	{ID: "cannot_see.photos", Text: NoticeText{DE: "Ihre Fotos, Videos und privaten Dateien", EN: "your photos, videos and personal files"}},
	{ID: "cannot_see.messages", Text: NoticeText{DE: "Ihre Nachrichten, Chats und privaten E-Mails", EN: "your messages, chats and personal e-mail"}},
	{ID: "cannot_see.browsing", Text: NoticeText{DE: "welche Internetseiten Sie privat besuchen", EN: "which websites you visit privately"}},
	{ID: "cannot_see.location", Text: NoticeText{DE: "wo Sie sind (Standort)", EN: "where you are (location)"}},
	{ID: "cannot_see.phone_number", Text: NoticeText{DE: "Ihre Telefonnummer", EN: "your phone number"}},
	{ID: "cannot_see.call_history", Text: NoticeText{DE: "wen Sie anrufen und wer Sie anruft", EN: "whom you call and who calls you"}},
	{ID: "cannot_see.hardware_ids", DeviceFields: []string{"Hardware"}, Text: NoticeText{DE: "Geräte-Kennungen wie IMEI, Seriennummer oder UDID", EN: "device identifiers such as IMEI, serial number or UDID"}},
	{ID: "cannot_see.wifi", Text: NoticeText{DE: "die Namen der WLANs, mit denen Sie sich verbinden", EN: "the names of the Wi-Fi networks you join"}},
}

var noticeCanDo = []NoticeItem{
	{ID: "can_do.work_apps", Commands: []CommandKind{CommandApplyPolicy, CommandInstallApp, CommandRemoveApp},
		Text: NoticeText{
			DE: "Dienst-Apps im Arbeitsbereich installieren, einrichten und wieder entfernen",
			EN: "install, configure and remove work apps in the work area"}},
	{ID: "can_do.remove_work", Commands: []CommandKind{CommandRemoveWorkData},
		Text: NoticeText{
			DE: "den Arbeitsbereich mit allen dienstlichen Daten entfernen – Ihre privaten Daten bleiben",
			EN: "remove the work area with all work data – your personal data stays"}},
}

var noticeCanDoOn = map[Platform][]NoticeItem{
	PlatformIOS: {
		{ID: "can_do.compliance_access",
			Text: NoticeText{
				DE: "wenn das Gerät eine Regel nach der Frist noch nicht erfüllt: den Zugang zu Dienst-Mail und VPN sperren, bis sie erfüllt ist; sperren lässt sich der Arbeitsbereich auf dem iPhone nicht, und die Verbindung, über die er entfernt würde, bleibt bestehen",
				EN: "if the device still breaks a rule after the deadline: refuse access to work mail and VPN until it meets the rule; the work area on an iPhone cannot be locked, and the connection its removal would use stays open"}},
		{ID: "can_do.device_passcode",
			Text: NoticeText{
				DE: "verlangen, dass Ihr Gerät mit einem Code gesichert ist (den Code selbst erfährt Ihr Arbeitgeber nicht)",
				EN: "require that your device is protected by a passcode (your employer never learns the passcode)"}},
		// The work mail account of a declaratively managed iPhone (ios/ddm): its address and
		// name are the employee's record's, its certificate is our CA's.
		{ID: "can_do.work_mail",
			Text: NoticeText{
				DE: "ein dienstliches E-Mail-Konto mit Ihrer dienstlichen Adresse und einem Zertifikat im Arbeitsbereich einrichten; Ihre privaten E-Mail-Konten bleiben unberührt",
				EN: "set up a work mail account with your work address and a certificate in the work area; your personal mail accounts are left alone"}},
	},
	PlatformAndroid: {
		{ID: "can_do.compliance_access",
			Text: NoticeText{
				DE: "wenn das Gerät eine Regel nach der Frist noch nicht erfüllt: das Zertifikat des Arbeitsprofils sperren (Dienst-Mail, VPN, WLAN), bis sie erfüllt ist – dann gibt es ein neues",
				EN: "if the device still breaks a rule after the deadline: revoke the work profile's certificate (work mail, VPN, Wi-Fi) until it meets the rule – then it gets a new one"}},
		{ID: "can_do.work_passcode", Commands: []CommandKind{CommandResetWorkPasscode},
			Text: NoticeText{
				DE: "einen Code für das Arbeitsprofil verlangen und ihn zurücksetzen, wenn Sie ihn vergessen haben",
				EN: "require a passcode for the work profile, and reset it if you have forgotten it"}},
		// LOCK locks the whole phone when the work profile shares its screen lock; the
		// platform sends it only where the work policy requires a separate work passcode.
		{ID: "can_do.lock_work", Commands: []CommandKind{CommandLockWork},
			Text: NoticeText{
				DE: "das Arbeitsprofil sperren – nur wenn seine Regeln einen eigenen Code für das Arbeitsprofil verlangen und Sie ihn gesetzt haben; Ihr Telefon selbst wird dabei nicht gesperrt",
				EN: "lock the work profile – only where its rules require a separate passcode for the work profile and you have set it; your phone itself is not locked"}},
	},
}

var noticeCannotDo = []NoticeItem{
	{ID: "cannot_do.erase", Commands: []CommandKind{CommandWipeDevice}, Text: NoticeText{DE: "Ihr Telefon löschen oder zurücksetzen", EN: "erase or reset your phone"}},
	{ID: "cannot_do.lock_phone", Commands: []CommandKind{CommandLockDevice}, Text: NoticeText{DE: "Ihr Telefon als Ganzes sperren", EN: "lock your phone as a whole"}},
	{ID: "cannot_do.lost_mode", Commands: []CommandKind{CommandStartLostMode}, Text: NoticeText{DE: "Ihr Telefon orten oder in den Verlustmodus versetzen", EN: "locate your phone or put it into lost mode"}},
	{ID: "cannot_do.activation_lock", Text: NoticeText{DE: "die Aktivierungssperre Ihres Telefons setzen oder verwalten", EN: "set or manage your phone's activation lock"}},
	{ID: "cannot_do.private_side", Text: NoticeText{DE: "private Apps oder Einstellungen außerhalb des Arbeitsbereichs ändern", EN: "change personal apps or settings outside the work area"}},
}

// noticeCompanyCanSee is what the employer sees besides of its own phone.
var noticeCompanyCanSee = []NoticeItem{
	{ID: "can_see.hardware_ids", DeviceFields: []string{"Hardware"},
		Text: NoticeText{
			DE: "die Kennungen des Telefons selbst (Seriennummer, IMEI, beim iPhone auch die UDID), weil das Telefon Ihrem Arbeitgeber gehört und er es daran in seinem Bestand wiederfindet",
			EN: "the identifiers of the phone itself (serial number, IMEI, on an iPhone also the UDID), because the phone belongs to your employer, who finds it in the inventory by them"}},
}

// noticeCompanyCanDoOn is what the employer may do besides to its own phone, by platform:
// only what the platform can do there (the notice's tests hold it to the registrations).
var noticeCompanyCanDoOn = map[Platform][]NoticeItem{
	PlatformIOS: {
		// EraseDevice on a device enrolment (ADDE or Automated Device Enrollment).
		{ID: "can_do.wipe_device", Commands: []CommandKind{CommandWipeDevice},
			Text: NoticeText{
				DE: "das ganze iPhone oder iPad löschen, wenn es verloren ist oder zurückgegeben wird – dabei werden auch Ihre privaten Daten darauf gelöscht; nur mit einem Grund, der protokolliert wird",
				EN: "erase the whole iPhone or iPad when it is lost or handed back – your personal data on it is erased too; only with a reason, which is recorded"}},
		// DeviceLock.
		{ID: "can_do.lock_device", Commands: []CommandKind{CommandLockDevice},
			Text: NoticeText{
				DE: "das Gerät sperren, zum Beispiel wenn es verloren ist; Sie entsperren es wieder mit Ihrem Code",
				EN: "lock the device, for example when it is lost; you unlock it again with your passcode"}},
		// EnableLostMode, which only a supervised device takes; DeviceLocation is never sent.
		{ID: "can_do.lost_mode", Commands: []CommandKind{CommandStartLostMode},
			Text: NoticeText{
				DE: "ein Gerät, das Ihr Arbeitgeber über Apple Business Manager eingerichtet hat, in den Verlustmodus versetzen, wenn es mit einem Grund als verloren gemeldet ist: Es zeigt dann auf dem Sperrbildschirm eine Nachricht Ihres Arbeitgebers; geortet wird es dabei nicht",
				EN: "put a device your employer set up through Apple Business Manager into lost mode when it is reported lost with a reason: it then shows a message of your employer on its lock screen; it is not located"}},
	},
	PlatformAndroid: {
		// AMAPI erases a company-owned phone as a whole when it is deleted (devices.delete).
		{ID: "can_do.wipe_device", Commands: []CommandKind{CommandWipeDevice},
			Text: NoticeText{
				DE: "das ganze Telefon löschen (auf Werkseinstellungen zurücksetzen), wenn es verloren ist oder zurückgegeben wird – dabei werden auch Ihre privaten Daten darauf gelöscht; nur mit einem Grund, der protokolliert wird",
				EN: "erase the whole phone (reset it to factory settings) when it is lost or handed back – your personal data on it is erased too; only with a reason, which is recorded"}},
		// LOCK locks the whole phone unless the work profile has a lock of its own (then,
		// from Android 11, only the work profile).
		{ID: "can_do.lock_device", Commands: []CommandKind{CommandLockDevice},
			Text: NoticeText{
				DE: "das Telefon sperren, zum Beispiel wenn es verloren ist (hat das Arbeitsprofil einen eigenen Code, wird ab Android 11 nur das Arbeitsprofil gesperrt); Sie entsperren es wieder mit Ihrem Code",
				EN: "lock the phone, for example when it is lost (where the work profile has a passcode of its own, from Android 11 only the work profile is locked); you unlock it again with your passcode"}},
		// The work policy's personalUsagePolicies (mdm.PersonalUsage).
		{ID: "can_do.personal_rules",
			Text: NoticeText{
				DE: "für den privaten Bereich wenige Regeln setzen: wie viele Tage das Arbeitsprofil ausgeschaltet sein darf, bevor die privaten Apps angehalten werden, und ob Kamera und Bildschirmfotos dort ausgeschaltet sind – was Sie privat tun, sieht Ihr Arbeitgeber dabei nicht",
				EN: "set a few rules for the private side: how many days the work profile may stay off before the personal apps are paused, and whether the camera and screenshots are off there – your employer still does not see what you do privately"}},
	},
}

// noticeCompanyCannotDoOn are statements of what cannot be done that read otherwise on
// the employer's phone, by platform and by the ID of the statement they stand in for.
var noticeCompanyCannotDoOn = map[Platform]map[string]NoticeItem{
	PlatformIOS: {
		// Lost mode is done on the employer's iPhone, but it is never located.
		"cannot_do.lost_mode": {ID: "cannot_do.lost_mode",
			Text: NoticeText{DE: "Ihr Gerät orten, auch nicht im Verlustmodus", EN: "locate your device, not even in lost mode"}},
	},
	PlatformAndroid: {
		"cannot_do.private_side": {ID: "cannot_do.private_apps",
			Text: NoticeText{
				DE: "private Apps installieren, entfernen oder einsehen oder Einstellungen des privaten Bereichs ändern, außer den genannten Regeln",
				EN: "install, remove or look into personal apps, or change settings of the private side other than the rules above"}},
	},
}
