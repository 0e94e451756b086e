using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Mote.Device.Protocol;

namespace Mote.Board
{
    /// <summary>
    /// A tty (serial port or pseudo-terminal) opened through libc: non-blocking, raw mode
    /// (cfmakeraw: no echo, no line discipline, 8 data bits). Linux only.
    /// </summary>
    public sealed class TtyLink : IByteLink, IDisposable
    {
        const int O_RDWR = 2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, EAGAIN = 11, EINTR = 4, EIO = 5, TCSANOW = 0;
        int fd;

        [DllImport("libc", SetLastError = true)] static extern int open(string path, int flags);
        [DllImport("libc", SetLastError = true)] static extern int close(int fd);
        [DllImport("libc", SetLastError = true)] static extern nint read(int fd, byte[] buf, nint count);
        [DllImport("libc", SetLastError = true)] static extern nint write(int fd, byte[] buf, nint count);
        [DllImport("libc", SetLastError = true)] static extern int tcgetattr(int fd, byte[] termios);
        [DllImport("libc", SetLastError = true)] static extern int tcsetattr(int fd, int action, byte[] termios);
        [DllImport("libc")] static extern void cfmakeraw(byte[] termios);
        [DllImport("libc", SetLastError = true)] static extern int openpty(out int master, out int slave, byte[] name, nint termp, nint winp);
        [DllImport("libc", SetLastError = true)] static extern int fcntl(int fd, int cmd, int arg);

        TtyLink(int fd) { this.fd = fd; }

        /// <summary>
        /// When the other side does not read and the tty buffer is full, drop the bytes (what a
        /// UART does with nobody listening) instead of waiting. The board end sets this.
        /// </summary>
        public bool DropWhenFull;

        /// <summary>Opens <paramref name="path"/> (e.g. /dev/ttyACM0, /dev/pts/3) raw and non-blocking.</summary>
        public static TtyLink Open(string path)
        {
            int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
            if (fd < 0) throw new Win32Exception(Marshal.GetLastWin32Error(), "cannot open " + path);
            MakeRaw(fd);
            return new TtyLink(fd);
        }

        /// <summary>A pseudo-terminal pair (openpty): the master end and the slave's path.</summary>
        public static TtyLink OpenPty(out string slavePath, out int slaveFd)
        {
            var name = new byte[256];
            if (openpty(out int master, out int slave, name, 0, 0) != 0)
                throw new Win32Exception(Marshal.GetLastWin32Error(), "openpty failed");
            slavePath = Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
            MakeRaw(master);
            MakeRaw(slave);
            fcntl(master, 4 /* F_SETFL */, O_RDWR | O_NONBLOCK);
            slaveFd = slave;
            return new TtyLink(master);
        }

        /// <summary>Wraps an already open descriptor (made non-blocking).</summary>
        public static TtyLink FromDescriptor(int fd)
        {
            fcntl(fd, 4, O_RDWR | O_NONBLOCK);
            return new TtyLink(fd);
        }

        static void MakeRaw(int fd)
        {
            var t = new byte[256]; // struct termios is 60 bytes on Linux; generous room
            if (tcgetattr(fd, t) != 0) return; // not a tty (a pipe, a file): nothing to configure
            cfmakeraw(t);
            tcsetattr(fd, TCSANOW, t);
        }

        /// <summary>Bytes available now (0 if none), -1 when the other side is gone.</summary>
        public int Read(byte[] buffer, int start, int count)
        {
            if (fd < 0) return -1;
            byte[] tmp = start == 0 ? buffer : new byte[count];
            nint n = read(fd, tmp, count);
            if (n < 0)
            {
                int e = Marshal.GetLastWin32Error();
                if (e == EAGAIN || e == EINTR) return 0;
                if (e == EIO) return 0; // pty with no slave open yet/anymore: treat as idle
                return -1;
            }
            if (n == 0) return 0;
            if (tmp != buffer) Array.Copy(tmp, 0, buffer, start, (int)n);
            return (int)n;
        }

        public void Write(byte[] buffer, int start, int count)
        {
            byte[] b = buffer;
            if (start != 0) { b = new byte[count]; Array.Copy(buffer, start, b, 0, count); start = 0; }
            int done = 0;
            var spin = 0;
            while (done < count)
            {
                byte[] chunk = done == 0 ? b : b.AsSpan(done, count - done).ToArray();
                nint n = write(fd, chunk, count - done);
                if (n < 0)
                {
                    int e = Marshal.GetLastWin32Error();
                    if (e == EAGAIN && DropWhenFull) return;
                    if ((e == EAGAIN || e == EINTR) && spin++ < 5000) { System.Threading.Thread.Sleep(1); continue; }
                    throw new Win32Exception(e, "write to tty failed");
                }
                done += (int)n;
            }
        }

        public void Dispose()
        {
            if (fd >= 0) close(fd);
            fd = -1;
        }
    }
}
