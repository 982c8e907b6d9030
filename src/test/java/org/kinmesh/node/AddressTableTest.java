package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.kinmesh.bus.BusScope;
import org.kinmesh.udp.DatagramKind;
import org.kinmesh.udp.UdpAddresses;

/** docs/architecture.md's address table lists exactly the addresses a node uses (default namespace). */
class AddressTableTest {

  @Test
  void theDocumentedTableIsTheCodes() throws Exception {
    String doc = Files.readString(Path.of("docs/architecture.md"));
    Set<String> documented = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\| `(kinmesh\\.[a-z_.]+)` \\|").matcher(doc);
    while (m.find()) {
      documented.add(m.group(1));
    }
    assertThat(documented).isEqualTo(addresses(NodeAddresses.DEFAULT));
  }

  @Test
  void everyAddressOfANodeLivesInItsNamespace() throws Exception {
    NodeAddresses home = NodeAddresses.of(new BusScope("home"));
    assertThat(addresses(home)).hasSize(addresses(NodeAddresses.DEFAULT).size())
        .allSatisfy(a -> assertThat(a).startsWith("home."));
  }

  private static Set<String> addresses(Object value) throws Exception {
    Set<String> out = new TreeSet<>();
    collect(value, out);
    return out;
  }

  private static void collect(Object value, Set<String> out) throws Exception {
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof UdpAddresses udp) {
      out.add(udp.send());
      out.add(udp.info());
      for (DatagramKind kind : DatagramKind.values()) {
        if (kind != DatagramKind.UNKNOWN) { // counted and dropped, never published
          out.add(udp.inbound(kind));
        }
      }
    } else if (value instanceof Record r && !(value instanceof BusScope)) {
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        collect(c.getAccessor().invoke(r), out);
      }
    }
  }
}
