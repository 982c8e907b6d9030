package org.kinmesh.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.EnumSet;
import java.util.Set;

/** Keyset files: created owner-only (0600), never overwritten, refused when others can read them. */
public final class KeyFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private KeyFiles() {}

  /** Thrown with a message a user can act on. */
  public static final class KeyFileException extends Exception {
    public KeyFileException(String message) {
      super(message);
    }
  }

  /** Writes the identity to a new 0600 file; refuses to overwrite an existing one. */
  public static void write(Path file, Identity identity) throws KeyFileException {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.writeString(file, identity.toKeysetJson(), StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      throw new KeyFileException("refusing to overwrite existing key file " + file);
    } catch (IOException e) {
      throw new KeyFileException("cannot write key file " + file + ": " + e.getMessage());
    }
  }

  /** Loads an identity, refusing a file that its group or others can read or write. */
  public static Identity load(Path file) throws KeyFileException {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      Set<PosixFilePermission> loose = EnumSet.copyOf(perms);
      loose.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE));
      if (!loose.isEmpty()) {
        throw new KeyFileException("key file " + file + " is accessible by group or others (mode "
            + PosixFilePermissions.toString(perms) + "); fix it with: chmod 600 " + file);
      }
      return Identity.fromKeysetJson(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new KeyFileException("key file " + file + " does not exist (create one with: kinmesh keygen --out " + file + ")");
    } catch (IOException e) {
      throw new KeyFileException("cannot read key file " + file + ": " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new KeyFileException("key file " + file + " is not a valid Ed25519 Tink keyset: " + e.getMessage());
    }
  }
}
