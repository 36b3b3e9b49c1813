package dashboard

import (
	"bytes"
	"cmp"
	"net/http"
	"net/url"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui"
	"github.com/trennwand/trennwand/ui/invitation"
	"github.com/trennwand/trennwand/ui/portal"
)

// invite makes an invitation and shows its printable letter, the only time its code is
// shown.
func (d *Dashboard) invite(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	inv, err := d.svc.Enrolment.Invite(r.Context(), v.Principal.Actor, v.Tenant, enrolment.InviteRequest{
		Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Platform: mdm.Platform(r.PostFormValue("platform")), ManagedAppleID: r.PostFormValue("managed_apple_id"),
		Ownership: mdm.Ownership(r.PostFormValue("ownership"))})
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showLetters(w, r, []enrolment.NewInvitation{inv}, "letters.made_one")
}

// resendInvitation gives the employee a new code (the old one stops working) and shows
// the new letter.
func (d *Dashboard) resendInvitation(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	inv, err := d.svc.Enrolment.ResendInvitation(r.Context(), v.Principal.Actor, v.Tenant, r.PostFormValue("email"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.showLetters(w, r, []enrolment.NewInvitation{inv}, "letters.made_resent")
}

// unsentLetters gives every invitation that has reached nobody yet (neither mailed nor
// printed) a new code and shows their letters on one page.
func (d *Dashboard) unsentLetters(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	made, err := d.svc.Enrolment.ReissueUnsent(r.Context(), v.Principal.Actor, v.Tenant)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if len(made) == 0 {
		back(w, r, Prefix+"/invitations", "none_unsent")
		return
	}
	d.showLetters(w, r, made, "letters.made_unsent")
}

// showLetters answers with the print view of the new invitations' letters, the same the
// command line writes (one letter per sheet), with what was made and the way back above
// them on screen.
func (d *Dashboard) showLetters(w http.ResponseWriter, r *http.Request, made []enrolment.NewInvitation, doneID string) {
	v := viewerOf(r)
	lang := ui.Lang(r)
	public := cmp.Or(d.cfg.PublicURL, &url.URL{Path: "/"})
	letters := make([]portal.Letter, len(made))
	for i, inv := range made {
		letters[i] = invitation.Letter(v.Tenant, inv, invitation.Link(public, inv.Code))
	}
	l := d.catalog.Localizer(lang)
	var buf bytes.Buffer
	err := portal.WriteLetterPage(&buf, lang, letters, portal.Screen{
		Done: l.T(doneID, map[string]any{"N": len(made), "Email": made[0].Employee.Email}), Back: Prefix + "/invitations"})
	if err != nil {
		d.fail(w, r, err)
		return
	}
	// The codes exist only in this answer, so it is given even when the record fails.
	if err := d.svc.Enrolment.LettersMade(r.Context(), v.Tenant, made); err != nil {
		d.cfg.Log.Error("record letters made", "error", err)
	}
	ui.RememberLang(w, r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Language", lang)
	w.Header().Set("Content-Security-Policy", portal.LetterPolicy)
	_, _ = w.Write(buf.Bytes())
}
