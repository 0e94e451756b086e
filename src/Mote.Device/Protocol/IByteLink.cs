namespace Mote.Device.Protocol
{
    /// <summary>
    /// A byte stream to the host (UART, USB CDC, a pseudo-terminal). <see cref="Read"/> returns
    /// the bytes available now (0 if none) and never blocks for long; -1 when closed.
    /// </summary>
    public interface IByteLink
    {
        int Read(byte[] buffer, int start, int count);
        void Write(byte[] buffer, int start, int count);
    }
}
