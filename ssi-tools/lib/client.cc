#include "client.h"

#include <linux/krg_netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string_view>

#include "nodelist.h"

namespace krg {

Error::Error(int err, const std::string& what)
    : std::runtime_error(what + ": " + std::strerror(err)), err_(err) {}

Error::Error(int err, const std::string& message, bool) : std::runtime_error(message), err_(err) {}

Error Error::plain(int err, const std::string& message) { return Error(err, message, true); }

namespace {

using Parser = std::function<void(nlattr** attrs)>;

struct Exchange {
  const Parser* parse;
  int err = 0;
  bool done = false;
  std::string message;  // the kernel's extended ack, if any
};

int on_valid(nl_msg* msg, void* arg) {
  auto* ex = static_cast<Exchange*>(arg);
  nlattr* attrs[KRG_A_MAX + 1];
  if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, KRG_A_MAX, nullptr) < 0) {
    ex->err = EBADMSG;
    return NL_STOP;
  }
  // The reason of a failure, in full: the error follows.
  if (attrs[KRG_A_ERR_MSG]) {
    ex->message = nla_get_string(attrs[KRG_A_ERR_MSG]);
    return NL_OK;
  }
  (*ex->parse)(attrs);
  return NL_OK;
}

// The socket asks for capped acks, so the attributes follow nlmsgerr.
std::string ack_message(const nlmsgerr* e) {
  auto* nlh = reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const char*>(e) - NLMSG_HDRLEN);
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return "";
  int len = static_cast<int>(nlh->nlmsg_len) - NLMSG_HDRLEN - static_cast<int>(sizeof(*e));
  nlattr* tb[NLMSGERR_ATTR_MAX + 1] = {};
  auto* attrs = reinterpret_cast<nlattr*>(const_cast<char*>(reinterpret_cast<const char*>(e + 1)));
  if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, nullptr) < 0) return "";
  return tb[NLMSGERR_ATTR_MSG] ? nla_get_string(tb[NLMSGERR_ATTR_MSG]) : "";
}

int on_error(sockaddr_nl*, nlmsgerr* e, void* arg) {
  auto* ex = static_cast<Exchange*>(arg);
  ex->err = e->error < 0 ? -e->error : e->error;
  if (ex->message.empty()) ex->message = ack_message(e);
  ex->done = true;
  return NL_STOP;
}

// The end of a dump, with the error that cut it short, if any.
int on_finish(nl_msg* msg, void* arg) {
  auto* ex = static_cast<Exchange*>(arg);
  nlmsghdr* nlh = nlmsg_hdr(msg);
  if (nlmsg_datalen(nlh) >= static_cast<int>(sizeof(int))) {
    int err = *static_cast<int*>(nlmsg_data(nlh));
    if (err < 0) ex->err = -err;
  }
  ex->done = true;
  return NL_STOP;
}

int on_ack(nl_msg*, void* arg) {
  static_cast<Exchange*>(arg)->done = true;
  return NL_STOP;
}

std::string get_string(nlattr** a, int t) { return a[t] ? nla_get_string(a[t]) : ""; }
uint32_t get_u32(nlattr** a, int t) { return a[t] ? nla_get_u32(a[t]) : 0; }

// Call fn with the attributes of each KRG_A_NODE nested in a[KRG_A_NODES].
void for_each_node(nlattr** a, const std::function<void(nlattr** n)>& fn) {
  if (!a[KRG_A_NODES]) return;
  nlattr* pos;
  int rem;
  nla_for_each_nested(pos, a[KRG_A_NODES], rem) {
    nlattr* n[KRG_A_MAX + 1];
    if (nla_parse_nested(n, KRG_A_MAX, pos, nullptr) < 0 || !n[KRG_A_NODE_ID]) continue;
    fn(n);
  }
}

std::vector<int> get_nodelist(nlattr** a, int t) {
  return parse_nodelist(get_string(a, t)).value_or(std::vector<int>{});
}

// Send one request built by fill, feed each reply to parse, wait for the
// ack (or, for a dump, its end).
void request(nl_sock* sock, int family, uint8_t cmd, const char* what,
             const std::function<void(nl_msg*)>& fill, const Parser& parse, bool dump = false) {
  nl_msg* msg = nlmsg_alloc();
  if (!msg) throw Error(ENOMEM, what);
  int flags = dump ? NLM_F_DUMP : NLM_F_ACK;
  if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, KRG_GENL_VERSION)) {
    nlmsg_free(msg);
    throw Error(ENOMEM, what);
  }
  fill(msg);
  int rc = nl_send_auto(sock, msg);
  nlmsg_free(msg);
  if (rc < 0) throw Error(EIO, what);

  Exchange ex{&parse, 0, false, {}};
  nl_cb* cb = nl_cb_alloc(NL_CB_DEFAULT);
  nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ex);
  nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &ex);
  nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &ex);
  nl_cb_err(cb, NL_CB_CUSTOM, on_error, &ex);
  while (!ex.done && !ex.err) {
    rc = nl_recvmsgs(sock, cb);
    if (rc < 0 && !ex.err) ex.err = EIO;
  }
  nl_cb_put(cb);
  if (ex.err && !ex.message.empty())
    throw Error::plain(ex.err,
                       std::string(what) + ": " + ex.message + " (" + std::strerror(ex.err) + ")");
  if (ex.err) throw Error(ex.err, what);
}

}  // namespace

Client::Client() {
  sock_ = nl_socket_alloc();
  if (!sock_) throw Error(ENOMEM, "netlink socket");
  if (genl_connect(sock_) < 0) throw Error(EIO, "netlink connect");
  // Error messages from the kernel, in acks without the request echoed.
  int one = 1;
  setsockopt(nl_socket_get_fd(sock_), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  setsockopt(nl_socket_get_fd(sock_), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  family_ = genl_ctrl_resolve(sock_, KRG_GENL_NAME);
  if (family_ < 0) {
    nl_socket_free(sock_);
    throw Error::plain(ENOENT,
                       "this kernel has no krg support (no generic netlink family \"krg\")");
  }
}

Client::~Client() { nl_socket_free(sock_); }

ClusterInfo Client::cluster() {
  ClusterInfo info;
  request(
      sock_, family_, KRG_CMD_CLUSTER_GET, "cluster status", [](nl_msg*) {},
      [&](nlattr** a) {
        info.node_id = static_cast<int>(get_u32(a, KRG_A_NODE_ID));
        info.session_id = get_u32(a, KRG_A_SESSION_ID);
        info.state = get_string(a, KRG_A_STATE);
        info.iface = get_string(a, KRG_A_IFACE);
        info.online = get_nodelist(a, KRG_A_ONLINE);
        info.present = get_nodelist(a, KRG_A_PRESENT);
        info.encrypted = a[KRG_A_ENCRYPTED] && nla_get_u8(a[KRG_A_ENCRYPTED]);
      });
  return info;
}

std::vector<NodeInfo> Client::nodes() {
  std::vector<NodeInfo> nodes;
  request(
      sock_, family_, KRG_CMD_NODES_GET, "node status", [](nl_msg*) {},
      [&](nlattr** a) {
        for_each_node(a, [&](nlattr** n) {
          NodeInfo info;
          info.id = static_cast<int>(nla_get_u32(n[KRG_A_NODE_ID]));
          info.state =
              n[KRG_A_NODE_STATE] && nla_get_u8(n[KRG_A_NODE_STATE]) == KRG_NODE_STATE_ONLINE
                  ? NodeState::online
                  : NodeState::unreachable;
          nodes.push_back(info);
        });
      });
  return nodes;
}

PingResult Client::ping(const PingRequest& req) {
  PingResult res;
  std::string what = req.nodes.empty() ? "RPC ping to node " + std::to_string(req.node)
                                       : "RPC ping to nodes " + format_nodelist(req.nodes);
  request(
      sock_, family_, KRG_CMD_RPC_PING, what.c_str(),
      [&](nl_msg* m) {
        if (req.nodes.empty())
          nla_put_u32(m, KRG_A_PING_NODE, static_cast<uint32_t>(req.node));
        else
          nla_put_string(m, KRG_A_PING_NODES, format_nodelist(req.nodes).c_str());
        nla_put_u32(m, KRG_A_PING_SIZE, req.size);
        nla_put_u32(m, KRG_A_PING_COUNT, req.count);
        nla_put_u32(m, KRG_A_PING_TIMEOUT_MS, req.timeout_ms);
        if (req.type >= 0) nla_put_u16(m, KRG_A_PING_TYPE, static_cast<uint16_t>(req.type));
        if (req.oneway) nla_put_flag(m, KRG_A_PING_ONEWAY);
      },
      [&](nlattr** a) {
        res.count = get_u32(a, KRG_A_PING_COUNT);
        res.total_ns = a[KRG_A_PING_TOTAL_NS] ? nla_get_u64(a[KRG_A_PING_TOTAL_NS]) : 0;
        for_each_node(a, [&](nlattr** n) {
          res.status.emplace_back(static_cast<int>(nla_get_u32(n[KRG_A_NODE_ID])),
                                  static_cast<int>(get_u32(n, KRG_A_PING_STATUS)));
        });
      });
  return res;
}

namespace {

CapSets parse_caps(nlattr** a) {
  return {get_u32(a, KRG_A_CAP_EFFECTIVE), get_u32(a, KRG_A_CAP_PERMITTED),
          get_u32(a, KRG_A_CAP_INH_EFFECTIVE), get_u32(a, KRG_A_CAP_INH_PERMITTED)};
}

}  // namespace

CapSets Client::cap_get(int pid) {
  CapSets sets;
  std::string what = "capabilities of process " + std::to_string(pid);
  request(
      sock_, family_, KRG_CMD_CAP_GET, what.c_str(),
      [&](nl_msg* m) { nla_put_u32(m, KRG_A_CAP_PID, static_cast<uint32_t>(pid)); },
      [&](nlattr** a) { sets = parse_caps(a); });
  return sets;
}

CapSets Client::cap_set(int pid, const CapSets& sets, unsigned which, bool force) {
  CapSets now;
  std::string what = "cannot change the capabilities of process " + std::to_string(pid);
  request(
      sock_, family_, KRG_CMD_CAP_SET, what.c_str(),
      [&](nl_msg* m) {
        nla_put_u32(m, KRG_A_CAP_PID, static_cast<uint32_t>(pid));
        if (which & 1) nla_put_u32(m, KRG_A_CAP_EFFECTIVE, sets.effective);
        if (which & 2) nla_put_u32(m, KRG_A_CAP_PERMITTED, sets.permitted);
        if (which & 4) nla_put_u32(m, KRG_A_CAP_INH_EFFECTIVE, sets.inheritable_effective);
        if (which & 8) nla_put_u32(m, KRG_A_CAP_INH_PERMITTED, sets.inheritable_permitted);
        if (force) nla_put_flag(m, KRG_A_CAP_FORCE);
      },
      [&](nlattr** a) { now = parse_caps(a); });
  return now;
}

namespace {

uint64_t get_u64(nlattr** a, int t) { return a[t] ? nla_get_u64(a[t]) : 0; }

CrResult parse_cr(nlattr** a) {
  return {static_cast<int>(get_u32(a, KRG_A_CR_PID)),
          get_u32(a, KRG_A_CR_TASKS),
          get_u32(a, KRG_A_CR_PROCESSES),
          get_u32(a, KRG_A_CR_SUBSTITUTED),
          get_u64(a, KRG_A_CR_FROZEN_NS),
          get_u64(a, KRG_A_CR_BYTES)};
}

}  // namespace

CrResult Client::checkpoint(int pid, int dir_fd, unsigned flags) {
  CrResult res;
  std::string what = "checkpoint of " + std::to_string(pid) + " failed";
  request(
      sock_, family_, KRG_CMD_CHECKPOINT, what.c_str(),
      [&](nl_msg* m) {
        nla_put_u32(m, KRG_A_CR_PID, static_cast<uint32_t>(pid));
        nla_put_u32(m, KRG_A_CR_DIR_FD, static_cast<uint32_t>(dir_fd));
        nla_put_u32(m, KRG_A_CR_FLAGS, flags);
      },
      [&](nlattr** a) { res = parse_cr(a); });
  return res;
}

CrResult Client::restart(int dir_fd, unsigned flags) {
  CrResult res;
  request(
      sock_, family_, KRG_CMD_RESTART, "restart failed",
      [&](nl_msg* m) {
        nla_put_u32(m, KRG_A_CR_DIR_FD, static_cast<uint32_t>(dir_fd));
        nla_put_u32(m, KRG_A_CR_FLAGS, flags);
      },
      [&](nlattr** a) { res = parse_cr(a); });
  return res;
}

CrResult Client::restart_on(int node, const std::string& path, unsigned flags) {
  CrResult res;
  request(
      sock_, family_, KRG_CMD_RESTART, "restart failed",
      [&](nl_msg* m) {
        nla_put_u32(m, KRG_A_CR_NODE, static_cast<uint32_t>(node));
        nla_put_string(m, KRG_A_CR_PATH, path.c_str());
        nla_put_u32(m, KRG_A_CR_FLAGS, flags);
      },
      [&](nlattr** a) { res = parse_cr(a); });
  return res;
}

CrResult Client::migrate(int pid, int node, unsigned flags) {
  CrResult res;
  std::string what =
      "migration of " + std::to_string(pid) + " to node " + std::to_string(node) + " failed";
  request(
      sock_, family_, KRG_CMD_MIGRATE, what.c_str(),
      [&](nl_msg* m) {
        nla_put_u32(m, KRG_A_CR_PID, static_cast<uint32_t>(pid));
        nla_put_u32(m, KRG_A_CR_NODE, static_cast<uint32_t>(node));
        nla_put_u32(m, KRG_A_CR_FLAGS, flags);
      },
      [&](nlattr** a) { res = parse_cr(a); });
  return res;
}

ProcList Client::ps() {
  ProcList list;
  request(
      sock_, family_, KRG_CMD_PS, "cannot list the processes of the cluster", [](nl_msg*) {},
      [&](nlattr** a) {
        int node = static_cast<int>(get_u32(a, KRG_A_NODE_ID));
        if (a[KRG_A_PS_ERR]) {
          list.failed.emplace_back(node, static_cast<int>(get_u32(a, KRG_A_PS_ERR)));
          return;
        }
        ProcInfo p;
        p.node = node;
        p.pid = static_cast<int>(get_u32(a, KRG_A_PS_PID));
        p.ppid = static_cast<int>(get_u32(a, KRG_A_PS_PPID));
        p.pgid = static_cast<int>(get_u32(a, KRG_A_PS_PGID));
        p.sid = static_cast<int>(get_u32(a, KRG_A_PS_SID));
        p.uid = get_u32(a, KRG_A_PS_UID);
        p.threads = get_u32(a, KRG_A_PS_THREADS);
        if (a[KRG_A_PS_STATE]) p.state = static_cast<char>(nla_get_u8(a[KRG_A_PS_STATE]));
        p.comm = get_string(a, KRG_A_PS_COMM);
        if (nlattr* c = a[KRG_A_PS_CMDLINE]) {
          std::string_view all(static_cast<const char*>(nla_data(c)), nla_len(c));
          while (!all.empty()) {
            auto end = all.find('\0');
            p.argv.emplace_back(all.substr(0, end));
            all.remove_prefix(end == all.npos ? all.size() : end + 1);
          }
        }
        list.processes.push_back(std::move(p));
      },
      true);
  return list;
}

void Client::node_leave(int node, bool force) {
  std::string what = "node " + std::to_string(node) + " cannot leave the cluster";
  request(
      sock_, family_, KRG_CMD_NODE_LEAVE, what.c_str(),
      [&](nl_msg* m) {
        nla_put_u32(m, KRG_A_NODE_ID, static_cast<uint32_t>(node));
        if (force) nla_put_flag(m, KRG_A_LEAVE_FORCE);
      },
      [](nlattr**) {});
}

void Client::ha_load(const std::string& policy) {
  std::string what = "cannot load policy " + policy;
  request(
      sock_, family_, KRG_CMD_HA_LOAD, what.c_str(),
      [&](nl_msg* m) { nla_put_string(m, KRG_A_HA_POLICY, policy.c_str()); }, [](nlattr**) {});
}

void Client::ha_attach(int pid, const std::string& policy, const std::string& params) {
  std::string what = "cannot attach " + std::to_string(pid) + " to " + policy;
  request(
      sock_, family_, KRG_CMD_HA_ATTACH, what.c_str(),
      [&](nl_msg* m) {
        nla_put_u32(m, KRG_A_HA_ID, static_cast<uint32_t>(pid));
        nla_put_string(m, KRG_A_HA_POLICY, policy.c_str());
        nla_put_string(m, KRG_A_HA_PARAMS, params.c_str());
      },
      [](nlattr**) {});
}

void Client::ha_detach(int id) {
  std::string what = "cannot detach application " + std::to_string(id);
  request(
      sock_, family_, KRG_CMD_HA_DETACH, what.c_str(),
      [&](nl_msg* m) { nla_put_u32(m, KRG_A_HA_ID, static_cast<uint32_t>(id)); }, [](nlattr**) {});
}

HaStatus Client::ha_status() {
  HaStatus st;
  request(
      sock_, family_, KRG_CMD_HA_STATUS, "cannot read the HA status", [](nl_msg*) {},
      [&](nlattr** a) {
        st.node = static_cast<int>(get_u32(a, KRG_A_NODE_ID));
        std::string names = get_string(a, KRG_A_HA_POLICIES);
        for (size_t pos = 0; pos < names.size();) {
          size_t end = names.find(' ', pos);
          if (end == std::string::npos) end = names.size();
          if (end > pos) st.policies.push_back(names.substr(pos, end - pos));
          pos = end + 1;
        }
        if (!a[KRG_A_HA_APPS]) return;
        nlattr* pos;
        int rem;
        nla_for_each_nested(pos, a[KRG_A_HA_APPS], rem) {
          nlattr* n[KRG_A_MAX + 1];
          if (nla_parse_nested(n, KRG_A_MAX, pos, nullptr) < 0 || !n[KRG_A_HA_ID]) continue;
          HaApp app;
          app.id = static_cast<int>(get_u32(n, KRG_A_HA_ID));
          app.root = static_cast<int>(get_u32(n, KRG_A_HA_ROOT));
          app.policy = get_string(n, KRG_A_HA_POLICY);
          app.params = get_string(n, KRG_A_HA_PARAMS);
          app.owner = get_u32(n, KRG_A_HA_OWNER);
          app.state = get_string(n, KRG_A_HA_STATE);
          app.recoveries = get_u32(n, KRG_A_HA_RECOVERIES);
          app.committed = get_u32(n, KRG_A_HA_COMMITTED);
          app.footprint = get_nodelist(n, KRG_A_HA_FOOTPRINT);
          st.apps.push_back(app);
        }
      });
  return st;
}

void Client::key_set(const std::vector<uint8_t>& key) {
  request(
      sock_, family_, KRG_CMD_KEY_SET, "cannot set the cluster key",
      [&](nl_msg* m) { nla_put(m, KRG_A_KEY, static_cast<int>(key.size()), key.data()); },
      [](nlattr**) {});
}

}  // namespace krg
