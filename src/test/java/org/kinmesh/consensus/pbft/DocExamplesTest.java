package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.kinmesh.testing.TestKeys;

/** The worked examples of docs/consensus.md decode, verify and re-encode to the same bytes. */
class DocExamplesTest {
  @Test
  void everyJsonExampleInTheDocsIsAValidEnvelope() throws Exception {
    String doc = Files.readString(Path.of("docs/consensus.md"));
    Matcher m = Pattern.compile("```json\n(\\{.*?\\})\n```", Pattern.DOTALL).matcher(doc);
    EnvelopeCodec codec = new EnvelopeCodec("family-chain");
    int seen = 0;
    while (m.find()) {
      byte[] bytes = m.group(1).getBytes(StandardCharsets.UTF_8);
      Envelope e = codec.decode(bytes);
      assertThat(e.sender()).isEqualTo(TestKeys.key(1).publicKeyHex());
      assertThat(codec.encode(e)).isEqualTo(bytes);
      seen++;
    }
    assertThat(seen).isEqualTo(3);
  }

  @Test
  void theCanonicalMessagesInTheDocsAreTheOnesSigned() throws Exception {
    String doc = Files.readString(Path.of("docs/consensus.md"));
    String key = TestKeys.key(1).publicKeyHex();
    String digest = "55b6735510e21f3dbdea17bda27bbcdc4dc62f08f466e8b294801191adb04489";
    List<Envelope> shown = List.of(
        new Envelope.Prepare("family-chain", 2, 7, digest, key, null),
        new Envelope.Fetch("family-chain", 2, 5, 8, key, null),
        new Envelope.ViewChange("family-chain", 3, 7, null, null, null, key, null));
    for (Envelope e : shown) {
      assertThat(doc).contains("```\n" + new String(e.canonical(), StandardCharsets.UTF_8) + "\n```");
    }
  }
}
