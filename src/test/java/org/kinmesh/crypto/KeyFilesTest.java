package org.kinmesh.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
  @TempDir
  Path dir;

  @Test
  void writesOwnerOnlyAndLoadsTheSameKey() throws Exception {
    Identity id = Identity.generate();
    Path f = dir.resolve("node.key");
    KeyFiles.write(f, id);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    Identity loaded = KeyFiles.load(f);
    assertThat(loaded.publicKeyHex()).isEqualTo(id.publicKeyHex());
    byte[] m = "hello".getBytes(StandardCharsets.UTF_8);
    assertThat(Ed25519.verify(id.publicKeyHex(), loaded.sign(m), m)).isTrue();
  }

  @Test
  void refusesToOverwrite() throws Exception {
    Path f = dir.resolve("node.key");
    KeyFiles.write(f, Identity.generate());
    String before = Files.readString(f);
    assertThatThrownBy(() -> KeyFiles.write(f, Identity.generate())).hasMessageContaining("refusing to overwrite");
    assertThat(Files.readString(f)).isEqualTo(before);
  }

  @Test
  void refusesLooseFilesNamingTheFix() throws Exception {
    Path f = dir.resolve("node.key");
    KeyFiles.write(f, Identity.generate());
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> KeyFiles.load(f)).hasMessageContaining("chmod 600 " + f);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw----r--"));
    assertThatThrownBy(() -> KeyFiles.load(f)).hasMessageContaining("chmod 600");
  }

  @Test
  void refusesMissingAndGarbageFiles() throws Exception {
    assertThatThrownBy(() -> KeyFiles.load(dir.resolve("nope.key"))).hasMessageContaining("kinmesh keygen");
    Path f = dir.resolve("bad.key");
    Files.writeString(f, "{\"not\":\"a keyset\"}");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> KeyFiles.load(f)).hasMessageContaining("not a valid Ed25519 Tink keyset");
  }

  @Test
  void identityNeverPrintsSecrets() {
    Identity id = Identity.generate();
    assertThat(id.toString()).isEqualTo("Identity[" + id.publicKeyHex().substring(0, 8) + "]");
  }
}
