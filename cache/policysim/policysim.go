// Package policysim exposes the eviction policy of the in-process cache
// backend (a W-TinyLFU that reshapes itself and estimates its hit ratio at
// other sizes from miniature simulations) to simulators and capacity
// planning tools, which replay request streams through it without the
// cache around it: the trace benchmarks of the bench module use it.
//
// A Policy sees keys only by a 64-bit hash and entries only by weight;
// the caller keeps the values (see the Example). It is not safe for
// concurrent use. The API follows the internal package it aliases and has
// no compatibility promise beyond this module's benchmarks.
package policysim

import "github.com/prodready/prodready/cache/internal/policy"

// A Policy is the memory backend's policy; see New.
type Policy = policy.TinyLFU

// Options configure a Policy; nil means the adaptive policy with
// estimates.
type Options = policy.Options

// A Config is the shape of a Policy: its window share and whether
// admission filters candidates.
type Config = policy.Config

// An Estimate is the hit ratio a Policy of another capacity would have.
type Estimate = policy.Estimate

// New returns a Policy bounding the total weight of its entries by
// capacity.
func New(capacity uint64, o *Options) *Policy { return policy.New(capacity, o) }
