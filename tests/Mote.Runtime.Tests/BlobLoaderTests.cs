using System;
using Mote.Runtime.Format;
using Mote.Runtime.Loading;
using Xunit;

namespace Mote.Runtime.Tests
{
    /// <summary>
    /// <see cref="BlobLoader"/> over a fake chunked source (short reads from a fixed seed, early end,
    /// contract violations), on the hand-written <see cref="TinyBlob"/>.
    /// </summary>
    public class BlobLoaderTests
    {
        /// <summary>Serves bytes in random short reads (1..count, seed fixed); can stop early; counts what it served.</summary>
        sealed class ChunkedSource : IBlobSource
        {
            readonly byte[] _data;
            readonly int _endAt;
            readonly Random _random;
            public int Position, Calls, LargestAsk;
            public int? Lie;

            public ChunkedSource(byte[] data, int endAt = -1, int seed = 7)
            {
                _data = data;
                _endAt = endAt < 0 ? data.Length : endAt;
                _random = new Random(seed);
            }

            public int Read(byte[] buffer, int offset, int count)
            {
                Calls++;
                LargestAsk = Math.Max(LargestAsk, count);
                Assert.True(count > 0, "asked for 0 bytes");
                if (Lie.HasValue) return Lie.Value;
                int left = _endAt - Position;
                if (left <= 0) return 0;
                int n = Math.Min(Math.Min(count, left), _random.Next(1, count + 1));
                Array.Copy(_data, Position, buffer, offset, n);
                Position += n;
                return n;
            }
        }

        static int[] Run(Model model, int a, int b)
        {
            var it = new Interpreter(model);
            it.GetInput(0).SetInt8(0, a);
            it.GetInput(0).SetInt8(1, b);
            it.Invoke();
            return new[] { it.GetOutput(0).GetInt8(0), it.GetOutput(0).GetInt8(1) };
        }

        [Theory]
        [InlineData(1)]
        [InlineData(7)]
        [InlineData(64)]
        [InlineData(BlobLoader.DefaultChunkSize)]
        public void Load_ShortReadsInChunks_SameResultsAsDirectLoad(int chunkSize)
        {
            byte[] blob = new TinyBlob().Build();
            var source = new ChunkedSource(blob);
            var buffer = new byte[blob.Length];
            Model model = BlobLoader.Load(source, buffer, chunkSize);
            Assert.Equal(blob, buffer);
            Assert.True(source.LargestAsk <= chunkSize);
            Assert.True(source.Calls >= (blob.Length + chunkSize - 1) / chunkSize);
            Assert.Equal(Run(Model.Load(blob), 5, -4), Run(model, 5, -4));
            Assert.Equal(new[] { -3, 19 }, Run(model, 5, -4));
        }

        [Fact]
        public void Load_BufferLargerThanBlob_ReadsExactlyTotalLength()
        {
            byte[] blob = new TinyBlob().Build();
            var withTrailer = new byte[blob.Length + 100];
            Array.Copy(blob, withTrailer, blob.Length);
            var source = new ChunkedSource(withTrailer);
            var buffer = new byte[blob.Length + 1000];
            Model model = BlobLoader.Load(source, buffer);
            Assert.Equal(blob.Length, source.Position);
            Assert.Equal(blob.Length, model.Length);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(10)]
        [InlineData(63)]
        [InlineData(64)]
        [InlineData(65)]
        [InlineData(-1)] // one byte short of the end
        public void Load_SourceEndsEarly_ThrowsTruncatedWithCounts(int endAt)
        {
            byte[] blob = new TinyBlob().Build();
            if (endAt < 0) endAt = blob.Length - 1;
            var e = Assert.Throws<BlobLoadException>(() => BlobLoader.Load(new ChunkedSource(blob, endAt), new byte[blob.Length]));
            Assert.Equal(BlobLoadError.Truncated, e.Error);
            Assert.Equal(endAt, e.BytesRead);
            Assert.Equal(endAt < BlobFormat.HeaderSize ? BlobFormat.HeaderSize : blob.Length, e.Expected);
            Assert.Contains("after " + endAt + " of", e.Message);
        }

        [Fact]
        public void Load_BlobLargerThanBuffer_ThrowsTooLargeAfterReadingOnlyTheHeader()
        {
            byte[] blob = new TinyBlob().Build();
            var source = new ChunkedSource(blob);
            var e = Assert.Throws<BlobLoadException>(() => BlobLoader.Load(source, new byte[blob.Length - 1]));
            Assert.Equal(BlobLoadError.TooLarge, e.Error);
            Assert.Equal(blob.Length, e.Expected);
            Assert.Equal(BlobFormat.HeaderSize, source.Position);
            Assert.Contains("allocate at least " + blob.Length + " bytes", e.Message);
        }

        [Fact]
        public void Load_BufferSmallerThanHeader_ThrowsTooLarge()
        {
            var e = Assert.Throws<BlobLoadException>(() => BlobLoader.Load(new ChunkedSource(new TinyBlob().Build()), new byte[32]));
            Assert.Equal(BlobLoadError.TooLarge, e.Error);
        }

        [Fact]
        public void Load_CorruptedByteInBody_ThrowsCrcMismatch()
        {
            byte[] blob = new TinyBlob().Build();
            blob[blob.Length - 3] ^= 0x10;
            var e = Assert.Throws<BlobLoadException>(() => BlobLoader.Load(new ChunkedSource(blob), new byte[blob.Length]));
            Assert.Equal(BlobLoadError.CrcMismatch, e.Error);
            Assert.Equal(blob.Length, e.BytesRead);
            Assert.Contains("CRC-32 mismatch", e.Message);
        }

        [Theory]
        [InlineData(0, "magic")]
        [InlineData(BlobFormat.OffHeaderSize, "header size")]
        public void Load_NotAHeader_ThrowsNotABlob(int offset, string expected)
        {
            byte[] blob = new TinyBlob().Build();
            blob[offset] ^= 0x01;
            var e = Assert.Throws<BlobLoadException>(() => BlobLoader.Load(new ChunkedSource(blob), new byte[blob.Length]));
            Assert.Equal(BlobLoadError.NotABlob, e.Error);
            Assert.Contains(expected, e.Message);
        }

        [Fact]
        public void Load_TotalLengthBelowHeader_ThrowsNotABlob()
        {
            byte[] blob = new TinyBlob().Build();
            LittleEndian.WriteInt32(blob, BlobFormat.OffTotalLength, 10);
            var e = Assert.Throws<BlobLoadException>(() => BlobLoader.Load(new ChunkedSource(blob), new byte[blob.Length]));
            Assert.Equal(BlobLoadError.NotABlob, e.Error);
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(100000)]
        public void Load_SourceBreaksContract_ThrowsSourceError(int lie)
        {
            byte[] blob = new TinyBlob().Build();
            var source = new ChunkedSource(blob) { Lie = lie };
            var e = Assert.Throws<BlobLoadException>(() => BlobLoader.Load(source, new byte[blob.Length]));
            Assert.Equal(BlobLoadError.SourceError, e.Error);
        }

        [Fact]
        public void Load_ValidCrcButBadSections_IsModelLoadsFormatError()
        {
            // Past the loader's own checks everything is Model.Load's: a resealed blob with a bad
            // section count passes the CRC and fails as MoteFormatException.
            byte[] blob = new TinyBlob().Build();
            LittleEndian.WriteInt32(blob, BlobFormat.OffSectionCount, 99);
            TinyBlob.Seal(blob);
            var e = Assert.Throws<MoteFormatException>(() => BlobLoader.Load(new ChunkedSource(blob), new byte[blob.Length]));
            Assert.Contains("section count", e.Message);
        }

        [Fact]
        public void ByteArraySource_ServesAllBytesThenZero()
        {
            byte[] blob = new TinyBlob().Build();
            var buffer = new byte[blob.Length];
            Assert.Equal(blob.Length, BlobLoader.ReadInto(new ByteArraySource(blob), buffer, 5));
            Assert.Equal(blob, buffer);
            var s = new ByteArraySource(new byte[3]);
            Assert.Equal(3, s.Read(new byte[10], 0, 10));
            Assert.Equal(0, s.Read(new byte[10], 0, 10));
        }
    }
}
