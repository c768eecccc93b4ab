package paginate

import "net/url"

// Params are the pagination parameters of a request that is not a URL
// query: a command-line tool's flags, the fields of a gRPC or queue
// message. Each field holds the text of one parameter, as a client would
// write it in a query; an empty field is absent. Give numbers as decimal
// text (strconv.Itoa), so that they are checked as Parse checks a query.
type Params struct {
	Page     string // "page": the page number, from 1
	PageSize string // "page_size": items per page, with Page
	Limit    string // "limit": items per page, with Offset or Cursor
	Offset   string // "offset": items to skip, from 0
	Cursor   string // "cursor": a token from a previous page's next link
}

// ParseParams reads the page that params ask for, within the limits l,
// exactly as [Parse] reads the query holding the same values: the same
// styles, defaults and bounds, and the same errors, a *ParamError naming
// the parameter ("page_size", not "PageSize") for a client's mistake.
func ParseParams(params Params, l Limits, c *Cursors) (Page, error) {
	q := make(url.Values, 5)
	for _, kv := range [...]struct{ name, value string }{
		{ParamPage, params.Page},
		{ParamPageSize, params.PageSize},
		{ParamLimit, params.Limit},
		{ParamOffset, params.Offset},
		{ParamCursor, params.Cursor},
	} {
		if kv.value != "" {
			q[kv.name] = []string{kv.value}
		}
	}
	return Parse(q, l, c)
}
