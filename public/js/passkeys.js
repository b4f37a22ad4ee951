// Progressive enhancement only: passkeys need script, so their controls start hidden and appear only where the
// browser can use them. The browser's answer goes back in an ordinary form post, like every other step.
;(function () {
  var blocks = document.querySelectorAll('[data-passkey]')
  if (blocks.length === 0 || !window.PublicKeyCredential || !navigator.credentials) return

  function toBuffer(base64url) {
    var base64 = base64url.replace(/-/g, '+').replace(/_/g, '/')
    while (base64.length % 4) base64 += '='
    var binary = atob(base64)
    var bytes = new Uint8Array(binary.length)
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return bytes.buffer
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer)
    var binary = ''
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i])
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  }

  function withBuffers(list) {
    return (list || []).map(function (item) {
      return { id: toBuffer(item.id), type: 'public-key', transports: item.transports }
    })
  }

  function register(options) {
    var publicKey = Object.assign({}, options, {
      challenge: toBuffer(options.challenge),
      user: Object.assign({}, options.user, { id: toBuffer(options.user.id) }),
      excludeCredentials: withBuffers(options.excludeCredentials),
    })
    return navigator.credentials.create({ publicKey: publicKey }).then(function (credential) {
      return {
        id: credential.id,
        rawId: toBase64url(credential.rawId),
        type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment || undefined,
        clientExtensionResults: credential.getClientExtensionResults(),
        response: {
          clientDataJSON: toBase64url(credential.response.clientDataJSON),
          attestationObject: toBase64url(credential.response.attestationObject),
          transports: credential.response.getTransports ? credential.response.getTransports() : [],
        },
      }
    })
  }

  function authenticate(options) {
    var publicKey = Object.assign({}, options, {
      challenge: toBuffer(options.challenge),
      allowCredentials: withBuffers(options.allowCredentials),
    })
    return navigator.credentials.get({ publicKey: publicKey }).then(function (credential) {
      return {
        id: credential.id,
        rawId: toBase64url(credential.rawId),
        type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment || undefined,
        clientExtensionResults: credential.getClientExtensionResults(),
        response: {
          clientDataJSON: toBase64url(credential.response.clientDataJSON),
          authenticatorData: toBase64url(credential.response.authenticatorData),
          signature: toBase64url(credential.response.signature),
          userHandle: credential.response.userHandle ? toBase64url(credential.response.userHandle) : undefined,
        },
      }
    })
  }

  Array.prototype.forEach.call(blocks, function (block) {
    var form = block.querySelector('form')
    var button = block.querySelector('[data-passkey-start]')
    var error = block.querySelector('[data-passkey-error]')
    if (!form || !button) return
    block.hidden = false
    var fallback = document.querySelector('.passkey-without-script')
    if (fallback) fallback.hidden = true
    button.addEventListener('click', function () {
      var options = JSON.parse(form.getAttribute('data-options'))
      var ceremony = block.getAttribute('data-passkey') === 'register' ? register : authenticate
      ceremony(options).then(
        function (answer) {
          form.querySelector('input[name="credential"]').value = JSON.stringify(answer)
          form.submit()
        },
        function () {
          // The page gives the message in its own language.
          error.textContent = error.getAttribute('data-message') || 'The passkey was not used. Try again, or use another way.'
          error.hidden = false
        },
      )
    })
  })
})()
