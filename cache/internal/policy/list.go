package policy

// The entries of a policy live in one slice of nodes (an arena) linked
// into circular doubly linked lists by index, with an index from hash to
// node. A freed node goes on a free list and is reused by the next
// insertion, so that a policy in its steady state (as many insertions as
// evictions) allocates nothing: no node per entry, no pointer for the
// garbage collector to follow. The hashes are indexed by an open-addressed
// table of the package's own (index.go).

// Queues a node can be in. The first nodes of the arena are the
// sentinels of the lists, one per queue, at the index of their queue.
const (
	qWindow uint8 = iota
	qProbation
	qProtected
	numQueues
	qFree = 0xFF
)

// nilNode is the index of no node.
const nilNode int32 = -1

// A node is one entry: its hash, its weight and its place in a list.
type node struct {
	hash       uint64
	prev, next int32
	weight     uint32
	queue      uint8
}

// nodeBytes is the size of a node, for MemoryBytes.
const nodeBytes = 24

// An arena holds the nodes of one policy and the index of their hashes.
type arena struct {
	nodes []node
	index index
	free  int32 // head of the free list, linked by next
}

// init makes the sentinels of lists lists and room for hint entries.
func (a *arena) init(lists uint8, hint int) {
	a.nodes = make([]node, lists, int(lists)+hint)
	for q := range lists {
		a.nodes[q] = node{prev: int32(q), next: int32(q), queue: q}
	}
	a.index.init(hint)
	a.free = nilNode
}

// find returns the index of the node of h.
func (a *arena) find(h uint64) (int32, bool) {
	return a.index.get(h, a.nodes)
}

// len is the number of entries.
func (a *arena) len() int { return a.index.len() }

// alloc takes a node for h, which the arena does not hold, from the free
// list if it has one, and indexes it. The node is in no list yet.
func (a *arena) alloc(h uint64, w uint32) int32 {
	i := a.free
	if i != nilNode {
		a.free = a.nodes[i].next
	} else {
		i = int32(len(a.nodes))
		a.nodes = append(a.nodes, node{})
	}
	a.nodes[i] = node{hash: h, weight: w, prev: nilNode, next: nilNode}
	a.index.add(h, i)
	return i
}

// release unlinks node i, forgets its hash and puts it on the free list.
func (a *arena) release(i int32) {
	a.unlink(i)
	a.index.delete(a.nodes[i].hash, i)
	a.nodes[i] = node{next: a.free, prev: nilNode, queue: qFree}
	a.free = i
}

// pushBack links node i as the most recent of queue q.
func (a *arena) pushBack(q uint8, i int32) {
	s := int32(q)
	last := a.nodes[s].prev
	a.nodes[i].prev, a.nodes[i].next, a.nodes[i].queue = last, s, q
	a.nodes[last].next = i
	a.nodes[s].prev = i
}

// pushFront links node i as the least recent of queue q.
func (a *arena) pushFront(q uint8, i int32) {
	s := int32(q)
	first := a.nodes[s].next
	a.nodes[i].prev, a.nodes[i].next, a.nodes[i].queue = s, first, q
	a.nodes[first].prev = i
	a.nodes[s].next = i
}

// unlink takes node i out of its list, if it is in one.
func (a *arena) unlink(i int32) {
	n := &a.nodes[i]
	if n.prev == nilNode {
		return
	}
	a.nodes[n.prev].next = n.next
	a.nodes[n.next].prev = n.prev
	n.prev, n.next = nilNode, nilNode
}

// front returns the least recent node of queue q, or nilNode.
func (a *arena) front(q uint8) int32 {
	if i := a.nodes[q].next; i != int32(q) {
		return i
	}
	return nilNode
}

// memoryBytes is the memory the arena and its index hold.
func (a *arena) memoryBytes() uint64 {
	return uint64(cap(a.nodes))*nodeBytes + a.index.memoryBytes()
}
