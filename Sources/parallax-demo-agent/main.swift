// `parallax-demo-agent`: argument dispatch only; everything lives in the DemoAgent library.
import DemoAgent
import Foundation

exit(DemoAgentCommand.main(Array(CommandLine.arguments.dropFirst())))
