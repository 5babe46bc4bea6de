// The SDK's ESM build has no declarations of its own (TS7016); it is the root package's API.
declare module '@tencentcloud/chat/index.es.js' {
  import TencentCloudChat from '@tencentcloud/chat';
  export default TencentCloudChat;
}
