package dev.loopserve.gateway;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over a size with 413 before anything buffers them: at once when the
 * declared Content-Length is too large, and while reading when a chunked body grows past it (the
 * read fails with {@link TooLargeException}, which {@link ProblemHandling} answers with 413).
 */
class BodySizeLimit extends OncePerRequestFilter {

  /** A body that outgrew the limit while being read. */
  static final class TooLargeException extends IOException {
    TooLargeException(long limit) {
      super("request body exceeds " + limit + " bytes");
    }
  }

  private final long maxBytes;

  BodySizeLimit(DataSize max) {
    if (max.toBytes() < 1) {
      throw new IllegalArgumentException("max body size must be positive, was " + max);
    }
    this.maxBytes = max.toBytes();
  }

  long maxBytes() {
    return maxBytes;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > maxBytes) {
      response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
      response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
      response.setCharacterEncoding(StandardCharsets.UTF_8.name());
      response
          .getWriter()
          .write(
              "{\"type\":\"https://loopserve.dev/problems/body-too-large\","
                  + "\"title\":\"Request body too large\",\"status\":413,"
                  + "\"detail\":\"The body is "
                  + request.getContentLengthLong()
                  + " bytes; this endpoint accepts at most "
                  + maxBytes
                  + " bytes\",\"max_bytes\":"
                  + maxBytes
                  + "}");
      return;
    }
    chain.doFilter(new Limited(request, maxBytes), response);
  }

  private static final class Limited extends HttpServletRequestWrapper {
    private final long limit;
    private ServletInputStream stream;

    Limited(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Counting(super.getInputStream(), limit);
      }
      return stream;
    }
  }

  private static final class Counting extends ServletInputStream {
    private final ServletInputStream in;
    private final long limit;
    private long read;

    Counting(ServletInputStream in, long limit) {
      this.in = in;
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) throws TooLargeException {
      read += n;
      if (read > limit) {
        throw new TooLargeException(limit);
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
