package dev.durableeffect.tracker.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Predicate;

/**
 * Segment channels that fail as a full disk does: record writes (past the 20-byte header) to the
 * chosen files write half their bytes and then throw; creating a file, or writing a new file's
 * header, can be made to fail too, and reads of chosen files can fail as a bad disk's do.
 */
final class FailingChannels implements ChannelOpener {

  volatile Predicate<Path> failWritesTo = path -> false;
  volatile boolean failCreate;
  volatile boolean failHeaderWrites;
  volatile Predicate<Path> failReadsOf = path -> false;

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    if (failCreate && List.of(options).contains(StandardOpenOption.CREATE)) {
      throw new IOException("No space left on device");
    }
    return new Channel(path, FileChannel.open(path, options));
  }

  private final class Channel extends FileChannel {

    private final Path path;
    private final FileChannel delegate;

    Channel(Path path, FileChannel delegate) {
      this.path = path;
      this.delegate = delegate;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      if (position < Segment.HEADER_BYTES && failHeaderWrites) {
        throw new IOException("No space left on device");
      }
      if (position >= Segment.HEADER_BYTES && failWritesTo.test(path)) {
        ByteBuffer half = src.duplicate();
        half.limit(half.position() + half.remaining() / 2);
        int written = delegate.write(half, position);
        src.position(src.position() + written);
        throw new IOException("No space left on device");
      }
      return delegate.write(src, position);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return delegate.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      throw new UnsupportedOperationException("the store writes at explicit positions");
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new UnsupportedOperationException("the store writes at explicit positions");
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      delegate.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      delegate.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      return delegate.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      if (failReadsOf.test(path)) {
        throw new IOException("Input/output error");
      }
      return delegate.read(dst, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      delegate.close();
    }
  }
}
