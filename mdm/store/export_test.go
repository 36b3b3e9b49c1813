package store

import "testing"

// TakeEverySearchAsBroad has every search of the test compared row by row on SQLite, as a
// search that matches many employees is.
func TakeEverySearchAsBroad(t *testing.T) {
	was := narrowSearch
	narrowSearch = -1
	t.Cleanup(func() { narrowSearch = was })
}
