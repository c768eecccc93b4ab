package main

import (
	"context"
	"errors"
	"time"
)

// An Item is the one resource the service serves.
type Item struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	PriceCents int64     `json:"price_cents"`
	UpdatedAt  time.Time `json:"updated_at"` // UTC, microsecond precision on both databases
}

// An ItemInput is the body of POST /items and PUT /items/{id}. The server
// validates it before the store sees it.
type ItemInput struct {
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
}

// errNotFound is wrapped in the error of get and update for an id that does
// not exist: test with errors.Is.
var errNotFound = errors.New("item not found")

// storeStats is what GET /debug/db shows.
type storeStats struct {
	Driver    string `json:"driver"`           // "sqlite" or "postgres"
	Queries   uint64 `json:"queries"`          // SQL statements run since start
	OpenConns int    `json:"open_connections"` // connections open to the database
	InUse     int    `json:"in_use"`           // of which in use
}

// A store keeps items in SQLite or PostgreSQL, with the same queries for both
// but for their placeholders. Its methods are safe for concurrent use; each
// is bounded by ctx and returns an error wrapping ctx.Err() when ctx ends
// first. Error messages never hold the database password. Each method runs
// one SQL statement, counted in stats().Queries. openStore makes one.
type store interface {
	// list returns up to limit (1 or more) items with an id above after,
	// by id ascending: keyset pagination by the keyset {Name: "items",
	// Columns: {"id"}}. The server asks for one more than the page size,
	// to learn whether there is a next page. after 0 starts at the first.
	list(ctx context.Context, after int64, limit int) ([]Item, error)
	// get returns the item with that id, or an error wrapping errNotFound.
	get(ctx context.Context, id int64) (Item, error)
	// create inserts an item, stamped with the current time, and returns
	// it with its new id: as get will return it.
	create(ctx context.Context, in ItemInput) (Item, error)
	// update replaces the name and price of the item with that id, stamps
	// it with the current time and returns it as get will return it, or
	// an error wrapping errNotFound.
	update(ctx context.Context, id int64, in ItemInput) (Item, error)
	// ping checks that the database answers.
	ping(ctx context.Context) error
	// stats returns the query count and the connection pool's state.
	stats() storeStats
	// close closes the connections. The store is unusable after.
	close() error
}
