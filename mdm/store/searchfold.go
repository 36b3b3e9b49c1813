package store

import (
	"database/sql/driver"
	"strings"

	sqlitedriver "github.com/glebarez/go-sqlite"
)

// The folded text a search compares, on both databases: lower case, without the accents
// of the Latin letters that names in the administrations' registers carry. PostgreSQL has
// it as the SQL function of migration 00098; on SQLite the same function is this Go code,
// registered with the driver for every connection. Both fold with the same table.
const (
	accented   = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćČčĎďĒēĘęĚěĞğĪīİıŁłŃńŇňŌōŐőŒœŘřŚśŞşŠšŢţŤťŪūŮůŰűŸŹźŻżŽž"
	unaccented = "AAAAAACEEEEIIIINOOOOOOUUUUYaaaaaaceeeeiiiinoooooouuuuyyAaAaAaCcCcDdEeEeEeGgIiIiLlNnNnOoOoOoRrSsSsSsTtTtUuUuUuYZzZzZz"
)

// searchFolder maps each accented letter to its plain one, as PostgreSQL's translate does.
var searchFolder = func() *strings.Replacer {
	from, to := []rune(accented), []rune(unaccented)
	if len(from) != len(to) {
		panic("store: the search's folding table is uneven")
	}
	pairs := make([]string, 0, 2*len(from))
	for i := range from {
		pairs = append(pairs, string(from[i]), string(to[i]))
	}
	return strings.NewReplacer(pairs...)
}()

// searchFold folds text as trennwand_search_fold does: the accents first, then lower case.
func searchFold(text string) string { return strings.ToLower(searchFolder.Replace(text)) }

func init() {
	err := sqlitedriver.RegisterDeterministicScalarFunction("trennwand_search_fold", 1,
		func(_ *sqlitedriver.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case nil:
				return nil, nil
			case string:
				return searchFold(v), nil
			case []byte:
				return searchFold(string(v)), nil
			default:
				return v, nil
			}
		})
	if err != nil {
		panic("store: " + err.Error())
	}
}
