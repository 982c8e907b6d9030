package org.kinmesh.util;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to: for tests and simulations. */
public final class ManualTimeSource implements TimeSource {
  private final AtomicLong millis;

  public ManualTimeSource(long startMillis) {
    this.millis = new AtomicLong(startMillis);
  }

  @Override
  public long nowMillis() {
    return millis.get();
  }

  public void advanceSeconds(long seconds) {
    millis.addAndGet(seconds * 1000L);
  }

  public void setMillis(long value) {
    millis.set(value);
  }

  public void setSeconds(long seconds) {
    millis.set(seconds * 1000L);
  }
}
