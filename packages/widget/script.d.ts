/** The built widget (`npm run build -w @autopilot/widget`): the source of `/widget.js`. */
declare const script: string;
export default script;
