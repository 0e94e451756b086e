namespace Mote.Device.Protocol
{
    /// <summary>Message types (first byte of a frame); docs/serial-protocol.md is normative.</summary>
    public static class MessageType
    {
        // device → host
        public const byte Result = 0x01, Log = 0x02, Info = 0x03, UploadAck = 0x12, Error = 0x7F;
        // host → device
        public const byte InfoRequest = 0x40, Window = 0x41, UploadBegin = 0x50, UploadChunk = 0x51, UploadCommit = 0x52;
    }

    /// <summary>Status codes carried by UploadAck and Error frames.</summary>
    public static class Status
    {
        public const byte Ok = 0, BadOffset = 1, TooLarge = 2, CrcMismatch = 3, InvalidModel = 4, NoUpload = 5,
            BadMessage = 6, Committed = 7, StorageFailed = 8;
    }
}
