namespace Mote.Runtime.Loading
{
    /// <summary>
    /// An <see cref="IBlobSource"/> over a byte[] (e.g. nanoFramework's ResourceUtility.GetObject result,
    /// or bytes already received). Note: on nanoFramework a resource is already a RAM copy, so loading
    /// one this way costs the resource's bytes once more; prefer a file or a stream source for large blobs.
    /// </summary>
    public sealed class ByteArraySource : IBlobSource
    {
        readonly byte[] _data;
        int _position;

        public ByteArraySource(byte[] data)
        {
            if (data == null) throw new System.ArgumentNullException("data");
            _data = data;
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            int left = _data.Length - _position;
            if (count > left) count = left;
            if (count <= 0) return 0;
            System.Array.Copy(_data, _position, buffer, offset, count);
            _position += count;
            return count;
        }
    }
}
