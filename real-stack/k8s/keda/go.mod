// Builds the KEDA operator (github.com/kedacore/keda/v2/cmd/operator) for
// `npm run test:k8s` (see ../build.sh). The replace line is copied from
// KEDA's own go.mod: replaces in a dependency do not apply to us.
module taskfn.local/real-stack/k8s/keda

go 1.26.0

tool github.com/kedacore/keda/v2/cmd/operator

require github.com/kedacore/keda/v2 v2.21.0

// temporal.io/api and temporal.io/sdk use this package but its v0.1.0 has no licence yet.
replace github.com/nexus-rpc/nexus-proto-annotations v0.1.0 => github.com/nexus-rpc/nexus-proto-annotations v0.1.1-0.20260629224316-835bd8d49cb4
