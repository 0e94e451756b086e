namespace Mote.Device.Storage
{
    /// <summary>
    /// Byte-addressable non-volatile storage (a flash partition, an SD file, a file on the host).
    /// <see cref="Erase"/> sets a range to 0xFF; <see cref="Write"/> may only be relied on after
    /// erase. A power cut may leave any prefix of a write or erase done (torn write); the model
    /// store is written so that this never loses the active model.
    /// </summary>
    public interface IFlash
    {
        int Size { get; }
        void Read(int address, byte[] buffer, int start, int count);
        void Write(int address, byte[] buffer, int start, int count);
        void Erase(int address, int count);
    }

    /// <summary>RAM-backed flash (tests, the virtual board without a file).</summary>
    public sealed class RamFlash : IFlash
    {
        readonly byte[] data;

        public RamFlash(int size)
        {
            data = new byte[size];
            for (int i = 0; i < size; i++) data[i] = 0xFF;
        }

        public byte[] Data { get { return data; } }
        public int Size { get { return data.Length; } }
        public void Read(int address, byte[] buffer, int start, int count) { System.Array.Copy(data, address, buffer, start, count); }
        public void Write(int address, byte[] buffer, int start, int count) { System.Array.Copy(buffer, start, data, address, count); }
        public void Erase(int address, int count) { for (int i = 0; i < count; i++) data[address + i] = 0xFF; }
    }
}
