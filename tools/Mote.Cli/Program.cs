namespace Mote.Cli
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            return Cli.Run(args, System.Console.Out, System.Console.Error);
        }
    }
}
