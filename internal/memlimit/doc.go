// Package memlimit parses memory size settings such as CACHE_MAX_MEMORY and
// finds the memory limit of the container the process runs in.
//
// # Memory size specs
//
// [ParseSpec] accepts either an absolute size or a percentage of the memory
// limit:
//
//	""  or "0"            no limit
//	"1048576"             bytes
//	"512B"                bytes
//	"64KiB" "64Ki" "64K"  64 * 1024 bytes (binary: KiB, MiB, GiB, TiB)
//	"64KB"                64 * 1000 bytes (SI: KB, MB, GB, TB)
//	"1.5GiB"              1610612736 bytes (fractions allowed with a unit)
//	"10%" "12.5%"         a share of the limit, see [Spec.Resolve]
//
// The unit convention is:
//
//   - KB, MB, GB and TB are SI units: powers of 1000.
//   - KiB, MiB, GiB and TiB are binary units: powers of 1024. The
//     Kubernetes spellings Ki, Mi, Gi and Ti mean the same.
//   - A bare K, M, G or T is binary (a power of 1024), as in Docker's
//     --memory and Java's -Xmx. Note that Kubernetes reads a bare "M" as
//     10^6; write "Mi" or "MiB" to be unambiguous.
//
// Letter case: the prefix letter (K, M, G, T) and the "i" are
// case-insensitive, so "64k", "64kB" and "2gi" are accepted; a memory size
// has no use for milli, so "m" can only mean mega. The final "B" must be
// upper case, because a lower-case "b" conventionally means bits: "256Mb" and
// "256mb" are rejected rather than silently read as bytes or as bits.
//
// Fractions ("1.5GiB") are rounded down to a whole number of bytes. A value
// with no unit or with the unit B must be a whole number of bytes. Surrounding
// white space is ignored; white space inside the value is an error.
//
// # Container memory limit
//
// [Limit] reads the cgroup v2 and cgroup v1 memory limits of the process and
// /proc/meminfo, and reports the smallest of them together with the file it
// came from.
package memlimit
