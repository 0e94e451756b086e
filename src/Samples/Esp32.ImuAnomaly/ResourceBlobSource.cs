using System;
using System.Resources;
using Mote.Runtime.Loading;
using nanoFramework.Runtime.Native;

namespace Mote.Samples.Esp32
{
    /// <summary>
    /// Reads a binary resource in slices (ResourceUtility.GetObject with offset and length), so the
    /// whole resource is never copied into RAM beside the blob buffer: each Read costs one small
    /// temporary array of at most <c>count</c> bytes. <paramref name="length"/> is the resource's size
    /// (the blob's total length; the loader checks it against the header).
    /// </summary>
    public sealed class ResourceBlobSource : IBlobSource
    {
        readonly ResourceManager manager;
        readonly Enum id;
        readonly int length;
        int position;

        public ResourceBlobSource(ResourceManager manager, Enum id, int length)
        {
            this.manager = manager;
            this.id = id;
            this.length = length;
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            int left = length - position;
            if (count > left) count = left;
            if (count <= 0) return 0;
            byte[] slice = (byte[])ResourceUtility.GetObject(manager, id, position, count);
            if (slice == null || slice.Length == 0) return 0;
            Array.Copy(slice, 0, buffer, offset, slice.Length);
            position += slice.Length;
            return slice.Length;
        }
    }
}
