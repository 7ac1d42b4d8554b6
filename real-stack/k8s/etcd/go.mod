// Builds etcd (go.etcd.io/etcd/server/v3, whose root package is the etcd
// binary) for `npm run test:k8s` (see ../build.sh). The release matches the
// etcd client k8s.io/kubernetes v1.37 is built against.
module taskfn.local/real-stack/k8s/etcd

go 1.26.0

tool go.etcd.io/etcd/server/v3

require go.etcd.io/etcd/server/v3 v3.7.3
