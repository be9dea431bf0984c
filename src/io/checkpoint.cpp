// Checkpoints in safetensors: writing, validating reads, and conversion to and from a Network.
#include "io/checkpoint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "nn/network.h"

namespace lenet {

// safetensors data and its header length are little-endian; floats are copied as they are.
static_assert(std::endian::native == std::endian::little, "checkpoint I/O assumes a little-endian machine");

namespace {

constexpr const char* kModelKey = "lenet.model";
constexpr const char* kMetadataKey = "__metadata__";
// The reference safetensors reader refuses headers over 100 MB; a lenet header is a few kB.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

std::string shape_str(const std::vector<int>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

// Elements in a shape, or false if a dimension is negative or the count overflows.
bool element_count(const std::vector<int>& shape, std::uint64_t& count) {
  count = 1;
  for (int d : shape) {
    if (d < 0) return false;
    const auto ud = static_cast<std::uint64_t>(d);
    if (ud != 0 && count > std::numeric_limits<std::uint64_t>::max() / ud) return false;
    count *= ud;
  }
  return true;
}

std::string serialize(const std::string& path, const Checkpoint& checkpoint) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  nlohmann::ordered_json metadata = {{kModelKey, checkpoint.model.to_json().dump()}};
  for (const auto& [key, value] : checkpoint.metadata) {
    if (key == kModelKey) fail("cannot save '{}': metadata key '{}' is reserved for the model", path, key);
    metadata[key] = value;
  }
  header[kMetadataKey] = metadata;

  std::set<std::string> names;
  std::uint64_t offset = 0;
  for (const NamedTensor& t : checkpoint.tensors) {
    if (t.name.empty() || t.name == kMetadataKey) fail("cannot save '{}': invalid tensor name '{}'", path, t.name);
    if (!names.insert(t.name).second) fail("cannot save '{}': tensor '{}' appears twice", path, t.name);
    std::uint64_t count = 0;
    if (!element_count(t.shape, count) || count != t.values.size())
      fail("cannot save '{}': tensor '{}' has shape {} but {} values", path, t.name, shape_str(t.shape),
           t.values.size());
    const std::uint64_t end = offset + count * sizeof(float);
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, end}}};
    offset = end;
  }

  std::string header_text;
  try {
    header_text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    // dump refuses strings that are not UTF-8.
    fail("cannot save '{}': {}", path, e.what());
  }
  // Padding the header keeps the data section 8-byte aligned for readers that map the file.
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  const std::uint64_t header_size = header_text.size();
  std::string bytes(sizeof header_size, '\0');
  std::memcpy(bytes.data(), &header_size, sizeof header_size);
  bytes.reserve(bytes.size() + header_text.size() + offset);
  bytes += header_text;
  for (const NamedTensor& t : checkpoint.tensors)
    bytes.append(reinterpret_cast<const char*>(t.values.data()), t.values.size() * sizeof(float));
  return bytes;
}

// Reads exactly size bytes at the file's current position; false at an early end of file.
bool read_exactly(int fd, char* out, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::read(fd, out, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("checkpoint '{}': cannot read: {}", path, std::strerror(errno));
    if (n == 0) return false;
    out += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Closes a file descriptor when the read ends, by error or not.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

struct RawFile {
  std::string header;
  std::string data;
};

// Reads the header and data sections, checking the header length against the file size before
// allocating anything for it.
RawFile read_raw(const std::string& path) {
  int fd = -1;
  do fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) fail("checkpoint '{}': cannot open: {}", path, std::strerror(errno));
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail("checkpoint '{}': cannot stat: {}", path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail("checkpoint '{}': not a regular file", path);
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  if (file_size < 8)
    fail("checkpoint '{}': {} bytes is too short for a safetensors file (at least 8)", path, file_size);

  std::uint64_t header_size = 0;
  if (!read_exactly(fd, reinterpret_cast<char*>(&header_size), sizeof header_size, path))
    fail("checkpoint '{}': file shrank while being read", path);
  if (header_size > file_size - 8)
    fail("checkpoint '{}': header length {} exceeds the {} bytes after it (truncated or not safetensors)", path,
         header_size, file_size - 8);
  if (header_size > kMaxHeaderBytes)
    fail("checkpoint '{}': header length {} is over the {} byte limit", path, header_size, kMaxHeaderBytes);

  RawFile raw;
  raw.header.resize(header_size);
  raw.data.resize(file_size - 8 - header_size);
  if (!read_exactly(fd, raw.header.data(), raw.header.size(), path) ||
      !read_exactly(fd, raw.data.data(), raw.data.size(), path))
    fail("checkpoint '{}': file shrank while being read", path);
  return raw;
}

// Parses the header, refusing duplicate tensor names that a JSON parser would silently merge.
nlohmann::json parse_header(const std::string& path, const std::string& text) {
  std::set<std::string> keys;
  std::string duplicate;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (depth == 1 && event == nlohmann::json::parse_event_t::key && !keys.insert(parsed.get<std::string>()).second)
      duplicate = parsed.get<std::string>();
    return true;
  };
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text, callback);
  } catch (const nlohmann::json::exception& e) {
    fail("checkpoint '{}': header is not valid JSON: {}", path, e.what());
  }
  if (!header.is_object()) fail("checkpoint '{}': header is not a JSON object", path);
  if (!duplicate.empty()) fail("checkpoint '{}': header names '{}' twice", path, duplicate);
  return header;
}

// A header entry's byte range in the data section.
struct Extent {
  std::uint64_t begin, end;
  std::size_t tensor;  // index in Checkpoint::tensors
};

// Reads one tensor entry {dtype, shape, data_offsets}, checking types and the size they imply.
Extent parse_entry(const std::string& path, const std::string& name, const nlohmann::json& entry,
                   NamedTensor& tensor) {
  const std::string where = fmt::format("checkpoint '{}': tensor '{}'", path, name);
  if (!entry.is_object()) fail("{}: expected an object {{dtype, shape, data_offsets}}", where);
  for (const auto& [key, value] : entry.items())
    if (key != "dtype" && key != "shape" && key != "data_offsets") fail("{}: unknown field '{}'", where, key);
  if (!entry.contains("dtype") || !entry["dtype"].is_string()) fail("{}: 'dtype' must be a string", where);
  const std::string dtype = entry["dtype"].get<std::string>();
  if (dtype != "F32") fail("{}: dtype '{}' is not supported (only F32)", where, dtype);

  if (!entry.contains("shape") || !entry["shape"].is_array())
    fail("{}: 'shape' must be an array of non-negative integers", where);
  tensor.name = name;
  for (const auto& d : entry["shape"]) {
    if (!d.is_number_unsigned() || d.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<int>::max()))
      fail("{}: 'shape' must be an array of non-negative integers below 2^31, got {}", where,
           entry["shape"].dump());
    tensor.shape.push_back(d.get<int>());
  }
  std::uint64_t count = 0;
  if (!element_count(tensor.shape, count) || count > std::numeric_limits<std::uint64_t>::max() / sizeof(float))
    fail("{}: shape {} has too many elements", where, shape_str(tensor.shape));

  const auto& offsets = entry.contains("data_offsets") ? entry["data_offsets"] : nlohmann::json();
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    fail("{}: 'data_offsets' must be two non-negative integers [begin, end]", where);
  const Extent extent{offsets[0].get<std::uint64_t>(), offsets[1].get<std::uint64_t>(), 0};
  if (extent.end < extent.begin)
    fail("{}: data_offsets [{}, {}] end before they begin", where, extent.begin, extent.end);
  if (extent.end - extent.begin != count * sizeof(float))
    fail("{}: shape {} needs {} bytes of F32 but data_offsets [{}, {}] hold {}", where, shape_str(tensor.shape),
         count * sizeof(float), extent.begin, extent.end, extent.end - extent.begin);
  return extent;
}

// Checks the tensors tile the data section exactly: sorted by offset, each begins where the last ended.
void check_extents(const std::string& path, std::vector<Extent>& extents, const std::vector<NamedTensor>& tensors,
                   std::uint64_t data_size) {
  std::sort(extents.begin(), extents.end(),
            [](const Extent& a, const Extent& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  std::uint64_t covered = 0;
  for (std::size_t i = 0; i < extents.size(); ++i) {
    const Extent& e = extents[i];
    const std::string& name = tensors[e.tensor].name;
    if (e.end > data_size)
      fail("checkpoint '{}': tensor '{}' data_offsets [{}, {}] go past the {} bytes of data (truncated?)", path, name,
           e.begin, e.end, data_size);
    if (e.begin < covered)
      fail("checkpoint '{}': tensor '{}' data_offsets [{}, {}] overlap tensor '{}'", path, name, e.begin, e.end,
           tensors[extents[i - 1].tensor].name);
    if (e.begin > covered)
      fail("checkpoint '{}': bytes [{}, {}) of the data belong to no tensor", path, covered, e.begin);
    covered = e.end;
  }
  if (covered != data_size)
    fail("checkpoint '{}': bytes [{}, {}) of the data belong to no tensor", path, covered, data_size);
}

// The __metadata__ entry: string values only; the model goes to checkpoint.model.
void parse_metadata(const std::string& path, const nlohmann::json& metadata, Checkpoint& checkpoint) {
  if (!metadata.is_object()) fail("checkpoint '{}': __metadata__ must be an object of strings", path);
  bool has_model = false;
  for (const auto& [key, value] : metadata.items()) {
    if (!value.is_string()) fail("checkpoint '{}': __metadata__ '{}' must be a string", path, key);
    if (key != kModelKey) {
      checkpoint.metadata[key] = value.get<std::string>();
      continue;
    }
    has_model = true;
    try {
      checkpoint.model = ModelSpec::from_json(nlohmann::json::parse(value.get<std::string>()));
    } catch (const nlohmann::json::exception& e) {
      fail("checkpoint '{}': invalid model description in __metadata__ '{}': {}", path, kModelKey, e.what());
    } catch (const Error& e) {
      fail("checkpoint '{}': invalid model description in __metadata__ '{}': {}", path, kModelKey, e.what());
    }
  }
  if (!has_model) fail("checkpoint '{}': no '{}' in __metadata__ (not a lenet checkpoint?)", path, kModelKey);
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  write_file_atomically(path, serialize(path, checkpoint));
}

Checkpoint load_checkpoint(const std::string& path) {
  const RawFile raw = read_raw(path);
  const nlohmann::json header = parse_header(path, raw.header);

  Checkpoint checkpoint;
  std::vector<Extent> extents;
  bool has_metadata = false;
  for (const auto& [name, entry] : header.items()) {
    if (name == kMetadataKey) {
      parse_metadata(path, entry, checkpoint);
      has_metadata = true;
      continue;
    }
    NamedTensor tensor;
    Extent extent = parse_entry(path, name, entry, tensor);
    extent.tensor = checkpoint.tensors.size();
    extents.push_back(extent);
    checkpoint.tensors.push_back(std::move(tensor));
  }
  if (!has_metadata) fail("checkpoint '{}': no __metadata__ with '{}' (not a lenet checkpoint?)", path, kModelKey);
  check_extents(path, extents, checkpoint.tensors, raw.data.size());

  // extents is now in file order; the tensors follow it so a save after a load writes the same file.
  std::vector<NamedTensor> ordered;
  ordered.reserve(extents.size());
  for (const Extent& e : extents) {
    NamedTensor& t = checkpoint.tensors[e.tensor];
    t.values.resize((e.end - e.begin) / sizeof(float));
    if (e.end > e.begin) std::memcpy(t.values.data(), raw.data.data() + e.begin, e.end - e.begin);
    ordered.push_back(std::move(t));
  }
  checkpoint.tensors = std::move(ordered);
  return checkpoint;
}

Checkpoint checkpoint_from_network(Network& network) {
  Checkpoint checkpoint;
  checkpoint.model = network.spec();
  for (const Param& p : network.params()) {
    const float* values = p.value->data();
    checkpoint.tensors.push_back({p.name, p.shape, std::vector<float>(values, values + p.value->size())});
  }
  return checkpoint;
}

Network network_from_checkpoint(const Checkpoint& checkpoint) {
  Network network(checkpoint.model);
  std::unordered_map<std::string, const NamedTensor*> by_name;
  for (const NamedTensor& t : checkpoint.tensors)
    if (!by_name.emplace(t.name, &t).second) fail("checkpoint: tensor '{}' appears twice", t.name);

  for (const Param& p : network.params()) {
    const auto found = by_name.find(p.name);
    if (found == by_name.end()) fail("checkpoint: missing tensor '{}' (shape {})", p.name, shape_str(p.shape));
    const NamedTensor& t = *found->second;
    if (t.shape != p.shape)
      fail("checkpoint: tensor '{}' has shape {}, the model expects {}", p.name, shape_str(t.shape),
           shape_str(p.shape));
    if (t.values.size() != p.value->size())
      fail("checkpoint: tensor '{}' has {} values for shape {}", p.name, t.values.size(), shape_str(t.shape));
    std::copy(t.values.begin(), t.values.end(), p.value->data());
    by_name.erase(found);
  }
  if (!by_name.empty()) {
    // Report the first leftover in file order, so the message does not depend on hashing.
    for (const NamedTensor& t : checkpoint.tensors)
      if (by_name.contains(t.name)) fail("checkpoint: tensor '{}' is not a parameter of the model", t.name);
  }
  return network;
}

}  // namespace lenet
